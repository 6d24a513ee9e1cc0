"""The workbench's pages and its small JSON API (Starlette, server-rendered Jinja2).

Pages (all in Norwegian, every one reachable with the keyboard):

==================  ==========================================================
``/``               the study: informants by group, coding progress per coder,
                    what is stale
``/informant/ID``   a transcript as the conversation, coded in place
``/forslag``        the review queue: machine suggestions, most uncertain first
``/anonymisering``  uncertain detections in context, keep or remove (originals,
                    only with the key)
``/enighet``        agreement between two coders per code
``/kjoring``        re-run the study with progress; link to the report
``/rapport``        the findings report as ``qualpipe report`` wrote it
==================  ==========================================================

Everything served passes the study's leak guard first, like every file the
tool writes, except the anonymisation review, whose point is to show the
originals to the person holding the key. A page the guard refuses is not
shown at all (fail closed).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import LeakError, QualpipeError
from ..settings import Study
from . import views
from .auth import TokenGate, cookie_name
from .jobs import Jobs
from .writes import CodingWriter, record_anonymisation_decision

HERE = Path(__file__).parent
QUEUE_PAGE_SIZE = 50
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
}
# What the report folder may serve (the files qualpipe report and review export write).
REPORT_TYPES = {".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
                ".csv": "text/csv; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Workbench:
    """State shared by the requests of one ``qualpipe serve``: the study, its guard, writers, jobs."""

    def __init__(self, study: Study, port: int):
        self.study = study
        self.port = port
        self.coder_cookie = cookie_name(port) + "-koder"
        self.jobs = Jobs(study, on_run_finished=self.forget_guard)
        self.writer = CodingWriter(study, is_running=lambda: self.jobs.run.running)
        self._guard = None
        self._guard_lock = threading.Lock()
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["pct"] = lambda n, d: 0 if not d else round(100 * n / d)
        self.templates.filters["num"] = lambda v, digits=2: views_format(v, digits)

    # ---- the leak guard (rebuilt after a run: the key may have grown)
    def guard(self):
        from ..anonymise.guard import require_guard

        with self._guard_lock:
            if self._guard is None:
                self._guard = require_guard(self.study)
            return self._guard

    def forget_guard(self) -> None:
        with self._guard_lock:
            self._guard = None

    # ---- responses
    def coder(self, request: Request) -> str | None:
        from ..coding.human import check_coder_id

        value = request.cookies.get(self.coder_cookie)
        if not value:
            return None
        try:
            return check_coder_id(value)
        except QualpipeError:
            return None

    def page(self, request: Request, template: str, status: int = 200, private: bool = False,
             checked: tuple[str, ...] = (), **context) -> Response:
        """A rendered page, refused whole if the guard finds an identifier (``checked``: parts it already saw)."""
        context.update(request=request, coder=self.coder(request), study_name=self.study.settings.name,
                       path=request.url.path, running=self.jobs.run.running)
        html = self.templates.get_template(template).render(**context)
        if not private:
            rest = html
            for part in checked:
                rest = rest.replace(part, "")
            refused = self._refused(rest, request.url.path)
            if refused is not None:
                return refused
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def codebook_panel(self, codes, version: str) -> Markup:
        """The codebook beside a transcript, guarded on its own: researchers write codebook.yaml by
        hand, and an example quoted with a name in it must not take the transcript down with it."""
        html = self.templates.get_template("codebook_panel.html").render(view={"codes": codes,
                                                                               "codebook_version": version})
        try:
            self.guard()(html, self.study.codebook_path)
        except QualpipeError as error:
            html = self.templates.get_template("codebook_refused.html").render(problem=error.problem)
        return Markup(html)

    def json(self, data: dict, status: int = 200, private: bool = False) -> Response:
        text = json.dumps(data, ensure_ascii=False)
        if not private:
            try:
                self.guard()(text, Path(self.study.root / "workbench.json"))
            except (LeakError, QualpipeError) as error:
                return JSONResponse({"feil": str(error)}, status_code=500, headers=SECURITY_HEADERS)
        return Response(text, status_code=status, media_type="application/json", headers=SECURITY_HEADERS)

    def _refused(self, text: str, url_path: str) -> Response | None:
        try:
            self.guard()(text, Path(self.study.root / url_path.lstrip("/")))
        except LeakError as error:
            return self._error_page(f"Siden vises ikke: lekkasjevernet stoppet den. {error}", 500)
        except QualpipeError as error:
            return self._error_page(f"Siden vises ikke: lekkasjevernet kan ikke bygges ({error}). Er nøkkelen "
                                    "kryptert, oppgi passfrasen på siden Anonymisering.", 503)
        return None

    def _error_page(self, message: str, status: int) -> Response:
        html = self.templates.get_template("error.html").render(message=message, coder=None, path="",
                                                                study_name="qualpipe", running=False)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def views_format(value, digits: int = 2) -> str:
    from ..coding.agreement import format_value

    return format_value(value, digits)


async def _body(request: Request) -> dict:
    try:
        data = await request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise QualpipeError("the request body must be a JSON object", None)
    return data


def create_app(study: Study, token: str, port: int, hosts=("127.0.0.1", "localhost")):
    """The ASGI app for ``study``, behind the token gate."""
    bench = Workbench(study, port)

    async def guarded(request: Request, handler, *args) -> Response:
        try:
            return await run_in_threadpool(handler, request, *args)
        except QualpipeError as error:
            return bench.page(request, "error.html", status=400, message=str(error))

    # ---- pages
    def study_page(request: Request) -> Response:
        return bench.page(request, "study.html", overview=views.study_overview(study))

    def transcript_page(request: Request) -> Response:
        informant_id = request.path_params["informant_id"]
        try:
            view = views.transcript_view(study, informant_id, bench.coder(request))
        except KeyError:
            return bench.page(request, "error.html", status=404, message="Ingen informant med denne id-en.")
        panel = bench.codebook_panel(view.codes, view.codebook_version)
        return bench.page(request, "transcript.html", checked=(panel,), view=view, codebook_panel=panel,
                          codebook_json=codebook_json(view.codes))

    def coder_page(request: Request) -> Response:
        from ..coding.human import check_coder_id

        name = request.query_params.get("navn", "").strip()
        back = request.query_params.get("neste", "/")
        back = back if back.startswith("/") and not back.startswith("//") else "/"
        if name:
            check_coder_id(name)
            response = RedirectResponse(back, status_code=303, headers={"Cache-Control": "no-store"})
            response.set_cookie(bench.coder_cookie, name, httponly=True, samesite="strict", path="/")
            return response
        known: list[str] = []
        if study.store_path.exists():
            from ..store import StudyStore

            with StudyStore(study.store_path) as store:
                known = store.human_coders()
        return bench.page(request, "coder.html", known=known, back=back)

    def queue_page(request: Request) -> Response:
        include_decided = request.query_params.get("alle") == "1"
        table, preparing, error = bench.jobs.queue()
        items, total = [], 0
        if table is not None:
            items, total = views.open_queue(study, views.queue_items(study, table), bench.coder(request),
                                            include_decided, QUEUE_PAGE_SIZE)
        codebook = views.load_codebook(study.codebook_path)
        codes = views.code_infos(codebook)
        return bench.page(request, "review.html", items=items, total=total, preparing=preparing, error=error,
                          include_decided=include_decided, codes=codes, codebook_json=codebook_json(codes))

    def anonymisation_page(request: Request) -> Response:
        from ..anonymise.keystore import key_paths, read_key_data

        plain, encrypted = key_paths(study)
        state, problem, detections = "authorised", "", []
        try:
            if read_key_data(study) is None:
                state = "no-key"
        except QualpipeError as error:
            state, problem = ("passphrase" if encrypted.exists() else "no-key"), str(error)
        if state == "authorised":
            try:
                detections = views.anonymisation_view(study)
            except QualpipeError as error:
                state, problem = "no-run", str(error)
        # Not guarded: its point is to show originals to the key holder; the other states show only our own text.
        return bench.page(request, "anonymisation.html", private=True, state=state,
                          problem=problem, detections=detections, encrypted=encrypted.exists())

    def agreement_page(request: Request) -> Response:
        view = views.agreement_view(study, request.query_params.get("a"), request.query_params.get("b"))
        return bench.page(request, "agreement.html", view=view)

    def run_page(request: Request) -> Response:
        from ..workflow import stages

        progress = bench.jobs.run.as_json()
        progress["stages"] = progress["stages"] or [name for name, _ in stages()]
        report = study.reports_dir / "rapport.html"
        return bench.page(request, "run.html", progress=progress, has_report=report.exists())

    def report_file(request: Request) -> Response:
        name = request.path_params.get("name") or "rapport.html"
        root = study.reports_dir.resolve()
        target = (root / name).resolve()
        if not target.is_relative_to(root) or not target.is_file() or target.suffix.lower() not in REPORT_TYPES:
            return bench.page(request, "error.html", status=404,
                              message="Ingen slik rapportfil. Kjør studien på siden Kjøring for å lage rapporten.")
        return FileResponse(target, media_type=REPORT_TYPES[target.suffix.lower()], headers=SECURITY_HEADERS)

    # ---- JSON API (writes)
    def toggle(request: Request, data: dict) -> Response:
        result = bench.writer.toggle(str(data.get("koder", "")), [str(s) for s in data.get("segmenter", [])],
                                     str(data.get("kode", "")), bool(data.get("på")),
                                     base={str(k): [str(c) for c in v] for k, v in (data.get("grunnlag") or {}).items()})
        return bench.json({"segmenter": result})

    def decide(request: Request, data: dict) -> Response:
        decisions = {str(k): [str(c) for c in v] for k, v in (data.get("avgjørelser") or {}).items()}
        return bench.json({"segmenter": bench.writer.decide(str(data.get("koder", "")), decisions)})

    def anonymisation_decision(request: Request, data: dict) -> Response:
        choice = {"behold": "keep", "fjern": "remove"}.get(str(data.get("valg")), "")
        record_anonymisation_decision(study, str(data.get("funn", "")), choice)
        return bench.json({"funn": data.get("funn"), "valg": data.get("valg")}, private=True)

    def passphrase(request: Request, data: dict) -> Response:
        from ..anonymise.keystore import decrypt, key_paths

        _plain, encrypted = key_paths(study)
        if not encrypted.exists():
            return bench.json({"feil": "nøkkelen er ikke kryptert"}, status=400, private=True)
        secret = str(data.get("passfrase", ""))
        decrypt(encrypted.read_bytes(), secret, encrypted)  # raises on a wrong passphrase
        # The guard, the run and this page read the passphrase where the CLI does: the environment.
        os.environ[study.settings.anonymisation.key_passphrase_env] = secret
        bench.forget_guard()
        return bench.json({"ok": True}, private=True)

    def start_run(request: Request, data: dict) -> Response:
        started = bench.jobs.start_run()
        return bench.json({"startet": started, **bench.jobs.run.as_json()}, status=202 if started else 409)

    def run_status(request: Request) -> Response:
        return bench.json(bench.jobs.run.as_json())

    def api(handler):
        async def endpoint(request: Request) -> Response:
            try:
                data = await _body(request)
                return await run_in_threadpool(handler, request, data)
            except QualpipeError as error:
                return JSONResponse({"feil": str(error)}, status_code=400, headers=SECURITY_HEADERS)
        return endpoint

    def page(handler):
        async def endpoint(request: Request) -> Response:
            return await guarded(request, handler)
        return endpoint

    routes = [
        Route("/", page(study_page)),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/koder", page(coder_page)),
        Route("/informant/{informant_id}", page(transcript_page)),
        Route("/forslag", page(queue_page)),
        Route("/anonymisering", page(anonymisation_page)),
        Route("/enighet", page(agreement_page)),
        Route("/kjoring", page(run_page)),
        Route("/rapport", page(report_file)),
        Route("/rapport/{name:path}", page(report_file)),
        Route("/api/koding", api(toggle), methods=["POST"]),
        Route("/api/avgjor", api(decide), methods=["POST"]),
        Route("/api/anonymisering", api(anonymisation_decision), methods=["POST"]),
        Route("/api/passfrase", api(passphrase), methods=["POST"]),
        Route("/api/kjoring", api(start_run), methods=["POST"]),
        Route("/api/kjoring", page(run_status), methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.workbench = bench
    return TokenGate(app, token=token, port=port, hosts=hosts)


def codebook_json(codes) -> list[dict]:
    """What the page script needs to draw and toggle codes."""
    return [{"id": c.id, "key": c.key, "label": c.label, "colour": c.colour} for c in codes]
