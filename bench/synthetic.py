"""A synthetic corpus around the real statement: templated distractor documents from a fixed seed, plus the statement.

Every document is a title line and paragraphs of 2-4 sentences, so each paragraph becomes one chunk and a document of
`PARAGRAPHS_PER_DOCUMENT` paragraphs gives about a hundred chunks. The sentences talk about the statement's own
topics (smugglers, returns, asylum, the ECHR, IOM and UNHCR, sanctions, Copenhagen ...) with other actors, places,
numbers and verbs, so a retriever must tell the real passages from close paraphrases.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = "1"
PARAGRAPHS_PER_DOCUMENT = 99  # + the title line = 100 chunks per document

COUNTRIES = (
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belgium", "Bosnia and Herzegovina", "Bulgaria",
    "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland", "France", "Georgia", "Germany", "Greece",
    "Hungary", "Iceland", "Ireland", "Italy", "Kosovo", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg",
    "Malta", "Moldova", "Monaco", "Montenegro", "The Netherlands", "North Macedonia", "Norway", "Poland", "Portugal",
    "Romania", "San Marino", "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden", "Switzerland", "Türkiye",
    "Ukraine", "United Kingdom",
)  # fmt: skip
CITIES = (
    "Copenhagen", "Tirana", "Granada", "Chisinau", "Prague", "Brussels", "Valletta", "Athens", "Vienna", "Warsaw",
    "Lisbon", "Dublin", "Riga", "Tallinn", "Vilnius", "Bucharest", "Sofia", "Ljubljana", "Zagreb", "Bratislava",
    "Rome", "Madrid", "Stockholm", "Oslo", "Helsinki", "Reykjavik", "The Hague", "Luxembourg", "Nicosia", "Budapest",
)  # fmt: skip
MEETINGS = (
    "European Political Community Summit", "Justice and Home Affairs Council", "Mediterranean ministerial forum",
    "Western Balkans migration conference", "Nordic-Baltic interior ministers' meeting", "Rabat Process meeting",
    "Khartoum Process senior officials' meeting", "Budapest Process ministerial conference", "G7 interior ministers",
    "Salzburg Forum", "Valletta follow-up summit", "Council of Europe committee of ministers",
)  # fmt: skip
AGENCIES = (
    "IOM", "UNHCR", "Frontex", "Europol", "Eurojust", "the EU Asylum Agency", "ICMPD", "the ILO", "the OSCE",
    "Interpol", "UNODC", "the European Commission", "the Council of Europe",
)  # fmt: skip
INSTRUMENTS = (
    "the European Convention on Human Rights", "the Refugee Convention", "the Pact on Migration and Asylum",
    "the Dublin Regulation", "the Schengen Borders Code", "the Palermo Protocol", "the Global Compact for Migration",
    "the Return Directive", "the Reception Conditions Directive", "the Charter of Fundamental Rights",
)  # fmt: skip
TOPICS = (
    "border management", "return procedures", "readmission agreements", "smuggling networks", "asylum reception",
    "visa policy", "labour migration", "integration programmes", "search and rescue", "legal pathways",
    "resettlement", "biometric registration", "document fraud", "human trafficking", "climate displacement",
    "seasonal work permits", "family reunification", "unaccompanied minors", "voluntary returns", "visa leverage",
    "sanctions regimes", "external borders", "law enforcement cooperation", "data sharing", "asylum systems",
    "job creation in countries of origin", "transit routes", "processing of asylum claims", "returns partnerships",
    "whole-of-route cooperation", "the smuggling gangs' business model", "pilot projects on migration",
)  # fmt: skip
VERBS = (
    "agreed to strengthen", "called for a review of", "pledged new funding for", "discussed", "raised concerns about",
    "welcomed progress on", "committed to harmonise", "asked for an evaluation of", "proposed joint pilots on",
    "set up a task force on", "rejected a common approach to", "underlined the need to modernise",
    "promised closer cooperation on", "published guidelines on", "postponed a decision on",
)  # fmt: skip
TRENDS = ("rose", "fell", "remained stable", "more than doubled", "dropped sharply", "increased slightly")
ADJECTIVES = ("national", "regional", "five-year", "joint", "pilot", "comprehensive", "targeted", "emergency")
ROLES = ("interior ministers", "prime ministers", "justice ministers", "senior officials", "leaders", "delegations")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)  # fmt: skip
TEMPLATES = (
    "At the {meeting} in {city} on {day} {month} {year}, the {role} of {countries} {verb} {topic}.",
    "{agency} reported that arrivals linked to {topic} {trend} by {pct} per cent in {year}.",
    "{country} announced a {adj} plan on {topic}, with a budget of EUR {amount} million.",
    "Delegates stressed that {topic} must respect {instrument}, while {topic2} remains a national competence.",
    "A working group on {topic} will present its findings to the {meeting} by {month} {year2}.",
    "Critics argued that the rules on {topic} were not implemented in a way that safeguards against abuse.",
    "The declaration on {topic} was signed by {n} states, including {country} and {country2}.",
    "The {role} underlined the need for a new approach to {topic} and for innovative solutions on {topic2}.",
    "{country} and {country2} committed to support one another on {topic}, working with {agency} and {agency2}.",
    "Officials in {city} said {topic} and {topic2} should be taken forward together, in the presence of {agency}.",
    "Law enforcement in {country} was given new powers and data to work across borders on {topic}.",
    "The use of sanctions against those behind {topic} was considered by {countries} in {year}.",
    "Returns to third countries were discussed, using {topic} and diplomatic tools, at a meeting in {city}.",
    "{agency} and {agency2} launched initiatives spanning {topic}, education and {topic2} on transit routes.",
    "The {adj} review of {topic} found that {instrument} was applied differently by {n} governments.",
)


@dataclass(frozen=True)
class SyntheticCorpus:
    """A generated corpus folder: `documents` distractor files plus the real statement (and its manifest)."""

    directory: Path
    target_chunks: int
    seed: int
    documents: int


def _countries(rng: random.Random) -> str:
    names = rng.sample(COUNTRIES, rng.randint(2, 5))
    return ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    topic, topic2 = rng.sample(TOPICS, 2)
    country, country2 = rng.sample(COUNTRIES, 2)
    agency, agency2 = rng.sample(AGENCIES, 2)
    year = rng.randint(2012, 2026)
    return template.format(
        meeting=rng.choice(MEETINGS),
        city=rng.choice(CITIES),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS),
        year=year,
        year2=year + rng.randint(1, 3),
        role=rng.choice(ROLES),
        countries=_countries(rng),
        verb=rng.choice(VERBS),
        topic=topic,
        topic2=topic2,
        agency=agency,
        agency2=agency2,
        trend=rng.choice(TRENDS),
        pct=rng.randint(2, 85),
        country=country,
        country2=country2,
        adj=rng.choice(ADJECTIVES),
        amount=rng.randint(5, 900),
        instrument=rng.choice(INSTRUMENTS),
        n=rng.randint(3, 40),
    )


def _capitalised(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def distractor_document(rng: random.Random, number: int, paragraphs: int) -> str:
    """One document: a title line, then `paragraphs` paragraphs of 2-4 templated sentences."""
    title = f"Report {number:05d}: {rng.choice(TOPICS)} after the {rng.choice(MEETINGS)} in {rng.choice(CITIES)}"
    body = [" ".join(_capitalised(_sentence(rng)) for _ in range(rng.randint(2, 4))) for _ in range(paragraphs)]
    return "\n\n".join([title, *body]) + "\n"


def build_corpus(directory: Path, target_chunks: int, seed: int, statement_dir: Path) -> SyntheticCorpus:
    """Write the corpus into `directory` (replacing it): about `target_chunks` distractor chunks + the statement."""
    rng = random.Random(f"{GENERATOR_VERSION}:{seed}:{target_chunks}")
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    per_document = PARAGRAPHS_PER_DOCUMENT + 1
    remaining, number = target_chunks, 0
    while remaining > 0:
        paragraphs = min(PARAGRAPHS_PER_DOCUMENT, max(1, remaining - 1))
        (tmp / f"report-{number:05d}.txt").write_text(distractor_document(rng, number, paragraphs), encoding="utf-8")
        remaining -= min(per_document, paragraphs + 1)
        number += 1
    for path in statement_dir.iterdir():  # the real statement and its manifest
        if path.is_file() and not path.name.startswith("."):
            shutil.copyfile(path, tmp / path.name)
    (tmp / ".generator.json").write_text(
        json.dumps({"version": GENERATOR_VERSION, "seed": seed, "target_chunks": target_chunks, "documents": number})
    )
    shutil.rmtree(directory, ignore_errors=True)
    tmp.replace(directory)
    return SyntheticCorpus(directory, target_chunks, seed, number)


def ensure_corpus(directory: Path, target_chunks: int, seed: int, statement_dir: Path) -> SyntheticCorpus:
    """The corpus from the cache when it was generated with the same version, seed and size; else generate it."""
    marker = directory / ".generator.json"
    if marker.exists():
        meta = json.loads(marker.read_text())
        if meta == {**meta, "version": GENERATOR_VERSION, "seed": seed, "target_chunks": target_chunks}:
            return SyntheticCorpus(directory, target_chunks, seed, int(meta["documents"]))
    return build_corpus(directory, target_chunks, seed, statement_dir)
