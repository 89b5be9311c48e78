"""Write the .test corpus and labeled data: invented articles about an invented conflict
(Veloria and Kastan), by three invented outlets over eight weeks. Written by the newslens
project for its tests and released with it under the MIT licence (see LICENSE); no real
article, outlet or person is quoted. Rerun to regenerate (fixed seed: identical files):

    python .test/make_corpus.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
OUTLETS = [
    ("Harbour Gazette", "Veloria"),
    ("Northern Ledger", "Kastan"),
    ("Valley Courier", "Osmar"),
]
SENTENCES = {
    "security_defense": [
        "Troops from Veloria moved two armoured brigades closer to the disputed border valley.",
        "Kastan said its air defence units shot down three drones over the northern ridge.",
        "The defence ministry in Kastan announced new conscription rules for the reserve army.",
        "Military observers from the Alliance counted twelve violations of the ceasefire this week.",
        "Artillery fire was reported near the river crossing for the third night in a row.",
        "Veloria accused Kastan of building trenches and fortified positions inside the buffer zone.",
        "Generals on both sides warned that a single incident could start a wider war.",
    ],
    "economic": [
        "The closure of the border road has cost traders in Veloria millions in lost exports.",
        "Fuel prices in Kastan rose by a fifth after the pipeline through the valley was shut.",
        "The central bank of Veloria raised interest rates to defend its weakening currency.",
        "Farmers say they cannot sell the harvest because the markets across the river are closed.",
        "Investors pulled money out of Kastan, and the stock exchange fell for a second week.",
        "The Union offered cheap loans to keep the ports of Veloria open for grain shipments.",
    ],
    "political": [
        "The parliament of Veloria voted to extend the state of emergency for another month.",
        "The opposition in Kastan demanded that the prime minister resign over the crisis.",
        "President Morel of Veloria met party leaders to agree on a common negotiating position.",
        "Elections planned for the spring in Kastan may be postponed because of the conflict.",
        "Ministers from both governments traded accusations during a televised debate.",
        "The ruling coalition in Veloria is divided over whether to accept a mediator.",
    ],
    "external_reputation": [
        "The Union urged Veloria and Kastan to return to talks and respect the ceasefire.",
        "Diplomats from the Alliance travelled to both capitals to ask for restraint.",
        "Foreign ministers of the Union said sanctions were possible if the fighting continued.",
        "Neighbouring Osmar offered to host a summit between the two presidents.",
        "Envoys of the Alliance described the talks as difficult but useful.",
    ],
    "health_safety": [
        "Hospitals near the border reported a shortage of medicine and surgical supplies.",
        "Aid agencies warned that thousands of families in the valley lack clean water.",
        "Doctors treated dozens of civilians injured by shelling in the village of Dorn.",
        "A cholera outbreak in a displacement camp alarmed health officials in Kastan.",
    ],
    "legality": [
        "Lawyers for Veloria filed a complaint at the international court over the border line.",
        "Kastan argues that the treaty of 1921 gives it legal title to the disputed valley.",
        "A court in Veloria ruled that the emergency law does not allow the press to be censored.",
        "Human rights groups asked for an independent investigation into the killing of civilians.",
    ],
    "public_opinion": [
        "A poll found that most people in Veloria support negotiations with Kastan.",
        "Thousands marched through the capital of Kastan to demand peace.",
        "Surveys show that public trust in the government of Veloria has fallen since the summer.",
        "Residents interviewed in the market said they were tired of the conflict.",
    ],
}
NEUTRAL = [
    "The statement was published on the ministry's website on Tuesday.",
    "Officials did not say when the next meeting would take place.",
    "Reporters were not allowed to enter the area.",
    "The figures could not be independently verified.",
]


def article(rng: random.Random, i: int, outlet: str, day: date) -> dict:
    frames = rng.sample(sorted(SENTENCES), 3)
    paragraphs = []
    for frame in frames:
        chosen = rng.sample(SENTENCES[frame], min(3, len(SENTENCES[frame])))
        paragraphs.append(" ".join(chosen))
    paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), rng.choice(NEUTRAL))
    title = {
        "security_defense": "Tension rises on the border",
        "economic": "Crisis hits the economy",
        "political": "Politicians split over the conflict",
        "external_reputation": "Diplomats call for talks",
        "health_safety": "Civilians pay the price",
        "legality": "A legal battle over the valley",
        "public_opinion": "What people think of the conflict",
    }[frames[0]]
    return {
        "id": f"{outlet.split()[0].lower()}-{i:03d}",
        "title": f"{title} ({i})",
        "date": day.isoformat(),
        "outlet": outlet,
        "text": "\n\n".join(paragraphs),
    }


def main() -> None:
    rng = random.Random(20240101)
    start = date(2024, 3, 4)
    rows = []
    for i in range(30):
        outlet, country = OUTLETS[i % 3]
        day = start + timedelta(days=rng.randrange(0, 56))
        row = article(rng, i, outlet, day)
        row["country"] = country
        rows.append(row)
    rows.sort(key=lambda r: (r["date"], r["id"]))
    fields = ["id", "title", "date", "outlet", "country", "text"]
    with open(HERE / "corpus" / "articles.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # labeled data for supervised framing: single sentences coded with their frame
    labeled = [
        {"text": s, "labels": frame}
        for frame, sentences in sorted(SENTENCES.items())
        for s in sentences
    ]
    rng.shuffle(labeled)
    with open(HERE / "data" / "labeled_frames.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["text", "labels"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(labeled)


if __name__ == "__main__":
    main()
