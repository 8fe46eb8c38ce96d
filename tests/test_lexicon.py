"""The hand-checked lexicon of document-structure words: every language file is well formed and maps real words."""

from __future__ import annotations

import re

import pytest

from assistant.answer.lexicon import EXACT, concept_of, country_gloss, lexicon, lexicon_gloss, verbs_in
from assistant.config import PROJECT_ROOT
from assistant.i18n import LANGUAGES

# Migration topics the public asks about that the statement does not hold: the lexicon knows them so that "does it
# mention refugee quotas?" is read in any language and answered honestly (a document added about one is found)
ABSENT_TOPICS = frozenset(
    "quotas integration labour climate family citizenship detention fences funding mediterranean sea rescue schengen "
    "pact ukrainian balkan frontex camps resettlement relocation solidarity pushbacks housing healthcare "
    "terrorism economy wages students elections parliament court deadline minors venue".split()
)
CONCEPTS = (
    frozenset(
        "themes points countries leaders signatories title heading agencies conventions statement summit returns "
        "smugglers borders asylum partnerships sanctions visa support".split()
    )
    | ABSENT_TOPICS
)
# The statement's topic words beyond its structure: what its themes are about ("development, job creation, education")
TOPIC_WORDS = frozenset(
    "development job education voluntary exploitation abuse enforcement data innovation pilots frameworks rights "
    "refugee processing pressures transit source diplomatic external governments routes reform illegal systems "
    "capabilities principles solutions threat challenges commission president".split()
)
COUNTRIES = frozenset(
    "Andorra,Austria,Belgium,Bulgaria,Cyprus,Czechia,Denmark,Germany,Greece,Italy,Malta,Netherlands,Poland,Sweden,"
    "United Kingdom".split(",")
)
FOREIGN = sorted(code for code in LANGUAGES if code != "en")


@pytest.mark.parametrize("language", FOREIGN)
def test_every_language_has_a_lexicon_of_every_concept(language: str) -> None:
    assert set(lexicon(language)) == CONCEPTS | TOPIC_WORDS | COUNTRIES


@pytest.mark.parametrize("language", [*FOREIGN, "en"])
def test_stems_are_lowercase_long_enough_and_unambiguous(language: str) -> None:
    owner: dict[str, str] = {}
    for concept, stems in lexicon(language).items():
        assert stems, f"{language} {concept}: no stems"
        for stem in stems:
            assert stem == stem.lower(), f"{language}: {stem!r} is not lowercase"
            shortest = 2 if stem.endswith(EXACT) else 3  # a whole word may be an acronym ("un$", "fn$")
            assert len(stem.removesuffix(EXACT)) >= shortest, f"{language}: {stem!r} is shorter than {shortest}"
            assert " " not in stem, f"{language}: {stem!r} has a space"
            assert owner.setdefault(stem, concept) == concept, f"{language}: {stem!r} means {owner[stem]} and {concept}"


def test_a_language_without_a_file_has_an_empty_lexicon() -> None:
    assert lexicon("la") == {}
    assert concept_of("themae", "la") is None


def test_the_english_lexicon_maps_everyday_words_onto_words_the_statement_uses() -> None:
    statement = (PROJECT_ROOT / "corpus" / "migration-our-shared-agenda.txt").read_text(encoding="utf-8").lower()
    english = lexicon("en")
    assert set(english) >= ABSENT_TOPICS
    # each maps onto the statement's own word, or names a topic the statement does not hold
    assert all(concept in statement for concept in set(english) - ABSENT_TOPICS)
    words = set(re.findall(r"[a-z]+", statement))
    assert not ABSENT_TOPICS & words
    assert not {word for word in words if concept_of(word, "en") in ABSENT_TOPICS}  # none of its words reads as one
    assert concept_of("themes", "en") is None  # the documents' own words are left alone
    assert concept_of("deportations", "en") == "returns"


@pytest.mark.parametrize(
    ("word", "language", "concept"),
    [
        ("άξονες", "el", "themes"),
        ("ΆΞΟΝΕΣ", "el", "themes"),
        ("pays", "fr", "countries"),
        ("pealkiri", "et", "title"),
        ("България", "bg", "Bulgaria"),
        ("Polsce", "pl", "Poland"),
        ("Polskę", "pl", "Poland"),
        ("Länder", "de", "countries"),
        ("Staatschefs", "de", "leaders"),  # the longer stem wins over "staat"
        ("Schwerpunkte", "de", "themes"),
        ("İtalya", "tr", "Italy"),
        ("Србија", "sr", None),
        ("границе", "sr", "borders"),
        ("granice", "sr", "borders"),
        ("valtionpäämiehet", "fi", "leaders"),
        ("maahanmuutto", "fi", None),  # immigration, not "maa" (country): "maa$" is exact
        ("paysage", "fr", None),
        ("krajobraz", "pl", None),  # a landscape, not a country
        ("страница", "bg", None),  # a page, not a country
        ("aiheuttaa", "fi", None),  # to cause, not a theme
        ("dönüşüm", "tr", None),  # a transformation, not a return
        ("šalia", "lt", None),  # beside, not a country
        ("határozat", "hu", None),  # a resolution, not a border
        ("kufizim", "sq", None),  # a restriction, not a border
        ("s'épauler", "fr", "support"),  # the elided pronoun is no part of the word
        ("gegenseitig", "de", "support"),  # supporting one another
        ("dell'asilo", "it", "asylum"),
        ("UN", "en", "agencies"),  # the UN's bodies are the statement's agencies (IOM, UNHCR)
        ("FN-organ", "sv", "agencies"),
        ("ONU", "fr", "agencies"),
        ("ONZ", "pl", "agencies"),
        ("unequivocal", "en", None),  # "un$" is exact
        ("", "de", None),
        # words that also mean something else are no topic: "trata" (is about), "a fondo", "dom" (they), "medel"
        # (means), "val"/"valg" (choice), "bilancio" (assessment), "judge" (the verb), "financial"
        ("trata", "es", None),
        ("fondo", "es", None),
        ("dom", "sv", None),
        ("medel", "sv", None),
        ("midler", "nb", None),
        ("val", "sv", None),
        ("valg", "da", None),
        ("bilancio", "it", None),
        ("judge", "en", None),
        ("financial", "en", None),
        # the statement's topic words, inflected as the public writes them
        ("kalkınma", "tr", "development"),
        ("iş", "tr", "job"),  # "iş yaratma": job creation
        ("eğitim", "tr", "education"),
        ("Bildung", "de", "education"),
        ("Arbeitsplätze", "de", "job"),
        ("Herkunftsländer", "de", "source"),  # countries of origin: the longer stem wins over "länder"
        ("Außengrenzen", "de", "external"),
        ("Asylsystem", "de", "asylum"),  # the asylum system is about asylum, not any system
        ("abgeschoben", "de", "returns"),
        ("sistemima", "bs", "systems"),
        ("azila", "bs", "asylum"),
        ("системима", "sr", "systems"),
        ("izbjeglica", "hr", "refugee"),
        ("deportaciones", "es", "returns"),
        ("sottoscritto", "it", "signatories"),
        ("réfugiés", "fr", "refugee"),
        ("données", "fr", "data"),
        ("vluchtelingen", "nl", "refugee"),
        ("politie", "nl", "enforcement"),
        ("politiet", "da", "enforcement"),
        ("työpaikkojen", "fi", "job"),
        ("pakolaisten", "fi", "refugee"),
        ("uchodźców", "pl", "refugee"),
        ("zagrożenie", "pl", "threat"),
        ("vnější", "cs", "external"),
        ("rendszerek", "hu", "systems"),
        ("kihívások", "hu", "challenges"),
        ("κυβερνήσεις", "el", "governments"),
        ("διπλωματία", "el", "diplomatic"),
        ("правителството", "bg", "governments"),
        ("біженців", "uk", "refugee"),
        ("inovație", "ro", "innovation"),
        ("izglītība", "lv", "education"),
        ("inovāciju", "lv", "innovation"),  # not "vāci" (Germany) inside it
        ("განათლება", "ka", "education"),
        ("arsimi", "sq", "education"),
        ("shínigh", "ga", "signatories"),  # "they signed", lenited
        ("undocumented", "en", "illegal"),
        ("employment", "en", "job"),
        ("schooling", "en", "education"),
        ("diplomacy", "en", "diplomatic"),
        ("job", "en", None),  # the statement's own word
        # question words and look-alikes that are no topic word
        ("welche", "de", None),
        ("erwähnt", "de", None),
        ("eingefahren", "de", None),  # driven in, not a danger ("Gefahr")
        ("quels", "fr", None),
        ("mentionne", "fr", None),
        ("randonnée", "fr", None),  # a hike, not data ("donnée")
        ("hangi", "tr", None),
        ("hakkında", "tr", None),  # about, not rights ("hak")
        ("mitä", "fi", None),
        ("käsittelee", "fi", None),  # deals with, not processing ("käsittely")
        ("alkuperäinen", "fi", None),  # original, not the origin
        ("które", "pl", None),
        ("ramach", "pl", None),  # "w ramach": within, not a framework
        ("oprogramowania", "pl", None),
        ("rámci", "cs", None),  # "v rámci": within
        ("nejlevnější", "cs", None),  # the cheapest, not external ("vnější")
        ("rendszeresen", "hu", None),  # regularly, not a system
        ("keretében", "hu", None),
        ("politiek", "nl", None),  # politics, not the police
        ("politik", "da", None),
        ("preoccupazione", "it", None),  # a worry, not employment ("occupazione")
        ("ursprungliga", "sv", None),  # original, not the origin
        ("δεδομένου", "el", None),  # "given that", not data
        ("викликає", "uk", None),  # causes, not a challenge
        ("предизвика", "mk", None),  # caused, not a challenge
        ("nevinovat", "ro", None),  # innocent, not innovation
        ("cadrul", "ro", None),  # "în cadrul": within
        ("darbotvarkė", "lt", None),  # an agenda, not a job ("darbo$")
        # topics the statement does not hold, in real inflected words of every language
        ("Flüchtlingsquoten", "de", "quotas"),
        ("Seenotrettung", "de", "rescue"),
        ("Grenzzaun", "de", "fences"),
        ("Wirtschaftssanktionen", "de", "sanctions"),
        ("Familiennachzug", "de", "family"),
        ("Abschiebungshaft", "de", "detention"),
        ("Arbeitskräfte", "de", "labour"),
        ("Migrationspakt", "de", "pact"),
        ("quotas", "en", "quotas"),
        ("naturalisation", "en", "citizenship"),
        ("traffickers", "en", "smugglers"),
        ("Mediterranean", "en", "mediterranean"),
        ("deadlines", "en", "deadline"),
        ("labor", "en", "labour"),
        ("vluchtelingenkampen", "nl", "camps"),
        ("gezinshereniging", "nl", "family"),
        ("arbeidsmigranten", "nl", "labour"),
        ("flygtningelejre", "da", "camps"),
        ("kvoteflyktninger", "nb", "quotas"),
        ("Middelhavet", "nb", "mediterranean"),
        ("asylpakt", "sv", "pact"),
        ("arbetskraftsinvandring", "sv", "labour"),
        ("flyktingkvoten", "sv", "quotas"),
        ("fjölskyldusameining", "is", "family"),
        ("loftslagsbreytingar", "is", "climate"),
        ("sauvetage", "fr", "rescue"),
        ("quotas", "fr", "quotas"),
        ("refoulements", "fr", "pushbacks"),
        ("ukrainiens", "fr", "ukrainian"),
        ("cuotas", "es", "quotas"),
        ("reubicación", "es", "relocation"),
        ("ucranianos", "es", "ukrainian"),
        ("respingimenti", "it", "pushbacks"),
        ("ricollocamento", "it", "relocation"),
        ("Mediterraneo", "it", "mediterranean"),
        ("reassentamento", "pt", "resettlement"),
        ("muros", "pt", "fences"),
        ("Balcãs", "pt", "balkan"),
        ("ucrainenii", "ro", "ukrainian"),
        ("solidaritate", "ro", "solidarity"),
        ("Schengen", "ro", "schengen"),
        ("kwoty", "pl", "quotas"),
        ("Ukraińców", "pl", "ukrainian"),
        ("współpracowników", "pl", "partnerships"),
        ("przesiedleń", "pl", "resettlement"),
        ("kvóty", "cs", "quotas"),
        ("soudržnost", "cs", "solidarity"),
        ("záchranné", "cs", "rescue"),
        ("ukrajinských", "sk", "ukrainian"),
        ("Stredozemnom", "sk", "mediterranean"),
        ("kvote", "sl", "quotas"),
        ("Sredozemlju", "sl", "mediterranean"),
        ("balkanska", "bs", "balkan"),
        ("pritvoru", "bs", "detention"),
        ("državljanstvo", "hr", "citizenship"),
        ("kvote", "hr", "quotas"),
        ("квоте", "sr", "quotas"),
        ("Балкана", "sr", "balkan"),
        ("kvote", "sr", "quotas"),
        ("украинците", "bg", "ukrainian"),
        ("квотите", "bg", "quotas"),
        ("шенгенскиот", "mk", "schengen"),
        ("квоти", "mk", "quotas"),
        ("Медитеранот", "mk", "mediterranean"),
        ("українських", "uk", "ukrainian"),
        ("квоти", "uk", "quotas"),
        ("середземноморському", "uk", "mediterranean"),
        ("kvotas", "lv", "quotas"),
        ("Vidusjūrā", "lv", "mediterranean"),
        ("kvotų", "lt", "quotas"),
        ("stovyklose", "lt", "camps"),
        ("meripelastus", "fi", "rescue"),
        ("pakolaiskiintiö", "fi", "quotas"),
        ("talouspakotteet", "fi", "sanctions"),
        ("kvoodid", "et", "quotas"),
        ("Vahemerel", "et", "mediterranean"),
        ("kvótát", "hu", "quotas"),
        ("határkerítés", "hu", "fences"),
        ("ποσοστώσεις", "el", "quotas"),
        ("Μεσόγειο", "el", "mediterranean"),
        ("kotalar", "tr", "quotas"),
        ("Akdeniz'de", "tr", "mediterranean"),
        ("kuotat", "sq", "quotas"),
        ("Mesdheun", "sq", "mediterranean"),
        ("kwoti", "mt", "quotas"),
        ("il-Mediterran", "mt", "mediterranean"),
        ("cuótaí", "ga", "quotas"),
        ("Meánmhuir", "ga", "mediterranean"),
        ("კვოტები", "ka", "quotas"),
        ("ხმელთაშუა", "ka", "mediterranean"),
    ],
)
def test_concept_of(word: str, language: str, concept: str | None) -> None:
    assert concept_of(word, language) == concept


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("quotation", "en"),
        ("familiar", "en"),
        ("nationality", "en"),
        ("citizens", "en"),
        ("criminal", "en"),
        ("campaign", "en"),
        ("course", "en"),
        ("legislative", "en"),
        ("impact", "en"),
        ("research", "en"),
        ("naturally", "en"),
        ("Europe", "en"),
        ("ausgerichtet", "de"),
        ("langfristig", "de"),
        ("Abstimmung", "de"),
        ("Verlagerung", "de"),
        ("Europa", "de"),
        ("Arbeit", "de"),
        ("toestemming", "nl"),
        ("overeenstemming", "nl"),
        ("eensgezind", "nl"),
        ("både", "da"),
        ("konsekvensutredning", "nb"),
        ("ungdommer", "nb"),
        ("hälsar", "sv"),
        ("traite", "fr"),
        ("délaissé", "fr"),
        ("saludos", "es"),
        ("plazo", "es"),
        ("fecha", "es"),
        ("perjudicial", "es"),
        ("tratta", "it"),
        ("campo", "it"),
        ("cerca", "pt"),
        ("prazo", "pt"),
        ("Marea", "ro"),
        ("consolidarea", "ro"),
        ("termen", "ro"),
        ("zatrzymanie", "pl"),
        ("płacić", "pl"),
        ("zajištění", "cs"),
        ("pracovních", "cs"),
        ("dobrodiní", "cs"),
        ("poslanie", "sk"),
        ("moramo", "hr"),
        ("vinogradi", "hr"),
        ("plaćanje", "hr"),
        ("kampanja", "hr"),
        ("kampanja", "sr"),
        ("zaradi", "sr"),
        ("prouzrokovao", "sr"),
        ("съдържание", "bg"),
        ("терміново", "uk"),
        ("pasirinkimas", "lt"),
        ("susirinkimas", "lt"),
        ("būstinė", "lt"),
        ("ilgtermiņa", "lv"),
        ("līdzekļus", "lv"),
        ("festivaali", "fi"),
        ("voimavaroja", "fi"),
        ("Eurooppa", "fi"),
        ("kohtumine", "et"),
        ("elamus", "et"),
        ("kohustus", "et"),
        ("választ", "hu"),
        ("tábornok", "hu"),
        ("előítélet", "hu"),
        ("Európa", "hu"),
        ("αμοιβαία", "el"),
        ("σύμφωνα", "el"),
        ("κλίμακα", "el"),
        ("συμβουλευτική", "el"),
        ("εντάξει", "el"),
        ("ücretsiz", "tr"),
        ("kampanya", "tr"),
        ("bot", "tr"),
        ("afatgjatë", "sq"),
        ("kampanjë", "sq"),
        ("teachtaireacht", "ga"),
        ("ზღვარი", "ka"),
        ("ნავთობი", "ka"),
        ("ევროპა", "ka"),
        ("pagament", "mt"),
        ("Evrópu", "is"),
        ("Evropa", "sl"),
        ("Европа", "sr"),
    ],
)
def test_common_question_and_statement_words_are_not_read_as_absent_topics(word: str, language: str) -> None:
    # "ausgerichtet" is not a court, "langfristig" no deadline, "σύμφωνα" (according to) no pact, "Európa" no euro
    assert concept_of(word, language) not in ABSENT_TOPICS


def test_an_exact_entry_matches_only_the_whole_word() -> None:
    assert concept_of("land", "de") == "countries"
    assert concept_of("landung", "de") is None


def test_a_lexicon_noun_used_as_a_verb_is_not_glossed() -> None:
    question = "which one deals with asylum?"
    assert verbs_in(question) == {"deals"}
    assert lexicon_gloss(question.rstrip("?").split(), "en", verbs_in(question)) == {}
    deals = "migrant deals with third countries?"
    assert verbs_in(deals) == set() and lexicon_gloss(deals.split(), "en") == {"deals": "partnerships"}


def test_country_names_in_every_language_come_from_babel() -> None:
    assert country_gloss(["a", "frança", "assinou", "isso"], "pt") == {"frança": "France"}
    assert country_gloss(["Magyarország", "is", "aláírta"], "hu") == {"Magyarország": "Hungary"}
    assert country_gloss(["Czy", "Hiszpanii"], "pl") == {"Hiszpanii": "Spain"}  # another ending of "Hiszpania"
    assert country_gloss(["mali", "sporazum"], "sl") == {}  # "small", no Mali: only Europe and its neighbours


@pytest.mark.parametrize(
    ("word", "language", "concept"),
    [("krijumcare", "hr", "smugglers"), ("przemytnikow", "pl", "smugglers"), ("granicy", "pl", "borders")],
)
def test_a_word_typed_without_its_diacritics_is_read(word: str, language: str, concept: str) -> None:
    assert concept_of(word, language) == concept


def test_a_country_typed_without_its_diacritics_is_named() -> None:
    assert country_gloss(["bialorusia"], "pl") == {"bialorusia": "Belarus"}
    assert concept_of("xyzq", "pl") is None
