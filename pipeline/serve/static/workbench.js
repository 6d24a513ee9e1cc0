// qualpipe workbench: keyboard-first coding and review. Plain JavaScript, no libraries,
// nothing fetched from elsewhere. Every change is sent to the server at once and the
// server's answer (the decision as stored) is what the page shows.
(function () {
  "use strict";

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const coder = document.body.dataset.coder || "";
  let statusTimer = null;

  function status(text, kind) {
    const box = $("#status");
    if (!box) return;
    box.textContent = text;
    box.className = "show" + (kind === "error" ? " error" : "");
    clearTimeout(statusTimer);
    if (kind !== "error") statusTimer = setTimeout(() => { box.className = ""; }, 2500);
  }

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) throw new Error((body && body.feil) || "HTTP " + response.status);
    return body;
  }

  // Writes go out one at a time, in the order the keys were pressed; <body data-pending>
  // counts those not answered yet (0: everything on the page is stored).
  let chain = Promise.resolve();
  let pending = 0;
  document.body.dataset.pending = "0";
  function enqueue(job) {
    pending += 1;
    document.body.dataset.pending = String(pending);
    const done = () => { pending -= 1; document.body.dataset.pending = String(pending); };
    chain = chain.then(job, job).then(done, done);
    return chain;
  }

  function typing(event) {
    const t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName));
  }

  function digitOf(event) {
    if (/^Digit[0-9]$/.test(event.code)) return event.code.slice(5);
    if (/^Numpad[0-9]$/.test(event.code)) return event.code.slice(6);
    return /^[0-9]$/.test(event.key) ? event.key : null;
  }

  function codebook() {
    const node = $("#codebook-data");
    const codes = node ? JSON.parse(node.textContent) : [];
    const byId = {}, byKey = {};
    codes.forEach((c, i) => { c.order = i; byId[c.id] = c; if (c.key) byKey[c.key] = c; });
    const sort = (ids) => ids.slice().sort((a, b) => (byId[a] ? byId[a].order : 99) - (byId[b] ? byId[b].order : 99));
    return { codes, byId, byKey, sort };
  }

  function mark(text, colour, kind, title) {
    const span = document.createElement("span");
    span.className = "mark" + (kind ? " " + kind : "");
    if (colour) span.style.setProperty("--c", colour);
    if (title) span.title = title;
    span.textContent = text;
    return span;
  }

  // One list of focusable items moved through with the arrow keys (and j/k).
  function focusList(items, onFocus) {
    let at = -1;
    function go(i, options = {}) {
      if (!items.length) return;
      at = Math.max(0, Math.min(items.length - 1, i));
      items.forEach((el, j) => el.classList.toggle("focus", j === at));
      items[at].focus({ preventScroll: true });
      items[at].scrollIntoView({ block: "nearest" });
      if (onFocus) onFocus(at, options);
    }
    return { go, get at() { return at; } };
  }

  function help() {
    const dialog = $("#help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-help]")) { event.preventDefault(); help(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "?" && !typing(event)) { event.preventDefault(); help(); }
  });

  // ------------------------------------------------------------------ transcript
  function transcriptPage() {
    const book = codebook();
    const segments = $$(".seg.codable");
    let anchor = -1;

    function decision(seg) {
      return seg.dataset.decided === "1" ? seg.dataset.codes.split(" ").filter(Boolean) : null;
    }

    function render(seg) {
      const codes = decision(seg);
      const box = $(".marks", seg) || seg.appendChild(document.createElement("span"));
      box.className = "marks";
      box.replaceChildren();
      seg.classList.toggle("decided", codes !== null);
      if (codes !== null) {
        codes.forEach((id) => box.appendChild(mark(book.byId[id].label, book.byId[id].colour)));
        if (!codes.length) box.appendChild(mark("ingen", null, "none", "avgjort: ingen kode gjelder"));
        seg.style.setProperty("--first", codes.length ? book.byId[codes[0]].colour : "transparent");
      } else {
        const suggested = seg.dataset.suggested.split(" ").filter(Boolean);
        const confidence = seg.dataset.confidence.split(" ");
        suggested.forEach((id, i) => {
          const p = confidence[i] ? " " + Number(confidence[i]).toFixed(2) : "";
          box.appendChild(mark(book.byId[id].label + p, book.byId[id].colour, "forslag", "maskinforslag"));
        });
      }
    }

    function progress() {
      const node = $("#progress");
      if (node) node.textContent = segments.filter((s) => s.dataset.decided === "1").length;
    }

    const list = focusList(segments, (at, options) => {
      if (!options.extend || anchor < 0) anchor = at;
      const lo = Math.min(anchor, at), hi = Math.max(anchor, at);
      segments.forEach((s, j) => s.classList.toggle("selected", j >= lo && j <= hi));
      history.replaceState(null, "", "#" + segments[at].id);
    });

    const selected = () => segments.filter((s) => s.classList.contains("selected"));

    function stored(result) {
      Object.entries(result.segmenter).forEach(([id, codes]) => {
        const seg = document.getElementById("seg-" + id);
        if (!seg) return;
        seg.dataset.decided = "1";
        seg.dataset.codes = codes.join(" ");
        seg.dataset.older = "";
        render(seg);
      });
      progress();
    }

    function send(url, payload, chosen, optimistic) {
      if (!coder) { status("Velg koder først (øverst til høyre).", "error"); return; }
      const before = chosen.map((s) => [s, s.dataset.decided, s.dataset.codes]);
      chosen.forEach((s) => { const codes = optimistic(s); s.dataset.decided = "1"; s.dataset.codes = codes.join(" "); render(s); });
      progress();
      status("Lagrer …");
      enqueue(() => post(url, payload).then((result) => {
        stored(result);
        status("Lagret i data/coded/human/" + coder + ".csv");
      }).catch((error) => {
        before.forEach(([s, d, c]) => { s.dataset.decided = d; s.dataset.codes = c; render(s); });
        progress();
        status("Ikke lagret: " + error.message, "error");
      }));
    }

    function toggle(code) {
      const chosen = selected();
      if (!chosen.length) return;
      const on = !chosen.every((s) => (decision(s) || []).includes(code.id));
      send("/api/koding", { koder: coder, segmenter: chosen.map((s) => s.dataset.id), kode: code.id, "på": on }, chosen,
        (s) => {
          const codes = new Set(decision(s) || []);
          if (on) codes.add(code.id); else codes.delete(code.id);
          return book.sort(Array.from(codes));
        });
    }

    function decideAll(pick) {
      const chosen = selected().filter((s) => pick(s) !== null);
      if (!chosen.length) return;
      const decisions = {};
      chosen.forEach((s) => { decisions[s.dataset.id] = pick(s); });
      send("/api/avgjor", { koder: coder, "avgjørelser": decisions }, chosen, (s) => decisions[s.dataset.id]);
    }

    segments.forEach((seg, i) => seg.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      list.go(i, { extend: event.shiftKey });
    }));
    $$(".code button.toggle").forEach((button) => button.addEventListener("click", () => {
      toggle(book.byId[button.dataset.code]);
      if (list.at >= 0) segments[list.at].focus({ preventScroll: true });
    }));

    document.addEventListener("keydown", (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const digit = digitOf(event);
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); list.go(list.at + 1, { extend: event.shiftKey }); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); list.go(list.at - 1, { extend: event.shiftKey }); }
      else if (event.key === "J" || event.key === "K") { event.preventDefault(); list.go(list.at + (event.key === "J" ? 1 : -1), { extend: true }); }
      else if (event.key === "Home") { event.preventDefault(); list.go(0, { extend: event.shiftKey }); }
      else if (event.key === "End") { event.preventDefault(); list.go(segments.length - 1, { extend: event.shiftKey }); }
      else if (event.key === "Escape") { list.go(list.at); }
      else if (digit !== null && !event.shiftKey && book.byKey[digit]) { event.preventDefault(); toggle(book.byKey[digit]); }
      else if (event.key === "Enter") { event.preventDefault(); decideAll((s) => (decision(s) === null ? [] : null)); }
      else if (event.key === "a") {
        event.preventDefault();
        decideAll((s) => (decision(s) === null ? s.dataset.suggested.split(" ").filter(Boolean) : null));
      }
      else if (event.key === "n" && $("#next")) { location.href = $("#next").href; }
      else if (event.key === "p" && $("#previous")) { location.href = $("#previous").href; }
    });

    const fromHash = location.hash ? segments.findIndex((s) => "#" + s.id === location.hash) : -1;
    const firstOpen = segments.findIndex((s) => s.dataset.decided !== "1");
    if (segments.length) list.go(fromHash >= 0 ? fromHash : Math.max(0, firstOpen));
  }

  // ------------------------------------------------------------- review queue
  function reviewPage() {
    if ($("#preparing")) { setTimeout(() => location.reload(), 2000); return; }
    const book = codebook();
    const items = $$(".item");
    const list = focusList(items);

    function show(item, codes) {
      item.dataset.decided = "1";
      item.dataset.codes = codes.join(" ");
      item.classList.add("done");
      const box = $(".decision", item);
      box.replaceChildren(document.createTextNode("Din avgjørelse: "));
      codes.forEach((id) => box.appendChild(mark(book.byId[id].label, book.byId[id].colour)));
      if (!codes.length) box.appendChild(mark("ingen kode", null, "none"));
    }

    function suggestion(item) { return item.dataset.suggested.split(" ").filter(Boolean); }
    function current(item) { return item.dataset.decided === "1" ? item.dataset.codes.split(" ").filter(Boolean) : suggestion(item); }

    function write(item, url, payload, next) {
      if (!coder) { status("Velg koder først (øverst til høyre).", "error"); return; }
      status("Lagrer …");
      enqueue(() => post(url, payload).then((result) => {
        show(item, result.segmenter[item.dataset.id]);
        status("Lagret i data/coded/human/" + coder + ".csv");
      }).catch((error) => status("Ikke lagret: " + error.message, "error")));
      if (next) list.go(list.at + 1);
    }

    items.forEach((item, i) => item.addEventListener("click", () => list.go(i)));
    document.addEventListener("keydown", (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey || list.at < 0 && !items.length) return;
      const item = items[list.at];
      const digit = digitOf(event);
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); list.go(list.at + 1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); list.go(list.at - 1); }
      else if (!item) return;
      else if (event.key === "a") {
        write(item, "/api/avgjor", { koder: coder, "avgjørelser": { [item.dataset.id]: suggestion(item) } }, true);
      } else if (event.key === "r") {
        write(item, "/api/avgjor", { koder: coder, "avgjørelser": { [item.dataset.id]: [] } }, true);
      } else if (digit !== null && book.byKey[digit]) {
        const code = book.byKey[digit];
        const on = !current(item).includes(code.id);
        write(item, "/api/koding", { koder: coder, segmenter: [item.dataset.id], kode: code.id, "på": on,
          grunnlag: { [item.dataset.id]: suggestion(item) } }, false);
      }
    });
    if (items.length) list.go(0);
  }

  // ------------------------------------------------------- anonymisation review
  function anonymisationPage() {
    const form = $("#passphrase-form");
    if (form) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        post("/api/passfrase", { passfrase: $("#passfrase").value })
          .then(() => location.reload())
          .catch((error) => { $("#passphrase-error").textContent = error.message; });
      });
      return;
    }
    const items = $$(".detection");
    const list = focusList(items);
    items.forEach((item, i) => item.addEventListener("click", () => list.go(i)));
    document.addEventListener("keydown", (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const item = items[list.at];
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); list.go(list.at + 1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); list.go(list.at - 1); }
      else if (item && (event.key === "b" || event.key === "f")) {
        const choice = event.key === "b" ? "behold" : "fjern";
        enqueue(() => post("/api/anonymisering", { funn: item.dataset.key, valg: choice }).then(() => {
          item.classList.add("done");
          $(".decision", item).textContent = "Avgjort: " + choice + " (gjelder fra neste kjøring)";
          status("Lagret i data/private/");
        }).catch((error) => status("Ikke lagret: " + error.message, "error")));
        list.go(list.at + 1);
      }
    });
    if (items.length) list.go(0);
  }

  // ----------------------------------------------------------------------- run
  function runPage() {
    const button = $("#start-run");
    let timer = null;

    function draw(state) {
      const stages = $$("#run-stages li");
      stages.forEach((li, i) => {
        const done = state.done[i];
        li.className = done ? "done" : (state.running && i === state.done.length ? "current" : "");
        li.textContent = state.stages[i] + (done ? " ✓ " + done[1].split("\n")[0] : "");
      });
      const total = state.stages.length || 1;
      const part = state.step_total ? state.step_done / state.step_total : 0;
      $("#run-bar").style.width = Math.round(100 * (state.done.length + (state.running ? part : 0)) / total) + "%";
      $("#run-step").textContent = state.running
        ? (state.current + (state.step ? ": " + state.step : "") + (state.step_total ? " " + state.step_done + "/" + state.step_total : "")
           + " · " + state.seconds + " s")
        : (state.seconds !== null ? "Siste kjøring: " + state.seconds + " s" : "");
      const error = $("#run-error");
      error.hidden = !state.error;
      error.textContent = state.error ? "Kjøringen stoppet: " + state.error : "";
      $("#run-done").hidden = !state.finished;
      button.disabled = state.running;
    }

    function poll() {
      fetch("/api/kjoring", { credentials: "same-origin" }).then((r) => r.json()).then((state) => {
        draw(state);
        timer = state.running ? setTimeout(poll, 700) : null;
      }).catch(() => { timer = setTimeout(poll, 2000); });
    }

    function start() {
      post("/api/kjoring", {}).then(poll).catch((error) => {
        status(error.message, "error");
        poll();
      });
    }

    button.addEventListener("click", start);
    document.addEventListener("keydown", (event) => {
      if (!typing(event) && event.key === "r" && !event.ctrlKey && !event.metaKey && !event.altKey && !button.disabled) start();
    });
    draw(JSON.parse($("#run-data").textContent));
    if ($("#run-progress").dataset.running) poll();
  }

  // ------------------------------------------------------------- the study page
  function rowsPage() {
    const links = $$("tr.nav-row a, ul.coders a");
    const list = focusList(links);
    document.addEventListener("keydown", (event) => {
      if (typing(event)) return;
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); list.go(list.at + 1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); list.go(list.at - 1); }
    });
  }

  const pages = { transcript: transcriptPage, review: reviewPage, anonymisation: anonymisationPage, run: runPage,
                  study: rowsPage };
  const page = pages[document.body.dataset.page];
  if (page) page();
})();
