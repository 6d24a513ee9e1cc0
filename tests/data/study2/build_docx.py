"""Writes data/raw/transcripts/elev_jonas.docx from the text below (run once; the .docx is committed).

A Word transcript as many researchers write them: a heading, bold speaker labels, and a
two-column table for part of the conversation.
"""

from pathlib import Path

import docx

TURNS = [
    ("Intervjuer", "Hei, Jonas. Du går på yrkesfag nå. Hvordan har starten vært?"),
    ("Elev", "Den har vært bra, egentlig. Jeg går elektro, og vi er mye i verkstedet. Jeg liker å jobbe "
             "med hendene, så det passer meg bedre enn å sitte stille hele dagen."),
    ("Intervjuer", "Kjente du noen i klassen fra før?"),
    ("Elev", "Ja, to gutter fra ungdomsskolen. Vi tar bussen sammen fra Fjellveien 12, der jeg bor, og "
             "sitter sammen i timene. Det gjorde det lettere i starten. Men jeg har blitt kjent med flere "
             "nå, særlig på prosjektene der vi jobber i grupper."),
    ("Intervjuer", "Hvordan er arbeidsmengden?"),
    ("Elev", "Det er mindre lekser enn jeg var redd for, men innleveringene i fellesfagene er tunge. "
             "Norsk og engelsk har mange innleveringer, og da blir det mye å gjøre på en gang. Jeg blir "
             "stresset når to frister kommer i samme uke."),
    ("Intervjuer", "Hvem hjalp deg da du skulle velge utdanning?"),
    ("Elev", "Rådgiveren, Håkon Dybdal, var veldig grei. Han sa at jeg burde velge det jeg er flink til, "
             "ikke det alle andre velger. Pappa ville at jeg skulle ta studiespesialisering, men rådgiveren "
             "hjalp meg å forklare hvorfor elektro var riktig valg for meg."),
    ("Intervjuer", "Så veiledningen betydde noe for valget?"),
    ("Elev", "Ja, mye. Uten den samtalen hadde jeg kanskje valgt feil. Jeg fikk også prøve et verksted "
             "en dag i niende, og det var da jeg bestemte meg."),
]
TABLE = [
    ("Intervjuer", "Hvis jeg vil sende deg spørsmål senere, hvor kan jeg nå deg?"),
    ("Elev", "Du kan sende en e-post til jonas.berntsen@epost.no."),
    ("Intervjuer", "Er det noe du ville endret ved overgangen?"),
    ("Elev", "At vi fikk vite mer om fellesfagene før vi begynte. Og at lærerne snakker sammen om "
             "fristene, så ikke alt kommer samtidig. Ellers er jeg fornøyd, og jeg har funnet et godt "
             "fellesskap i klassen."),
    ("Intervjuer", "Takk for praten."),
    ("Elev", "Takk."),
]


def main() -> None:
    document = docx.Document()
    document.add_heading("Intervju E2, elev, vg1 (syntetisk testintervju)", level=1)
    for label, text in TURNS:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {text}")
    table = document.add_table(rows=len(TABLE), cols=2)
    for row, (label, text) in zip(table.rows, TABLE):
        row.cells[0].text, row.cells[1].text = label, text
    out = Path(__file__).parent / "data" / "raw" / "transcripts" / "elev_jonas.docx"
    document.save(out)


if __name__ == "__main__":
    main()
