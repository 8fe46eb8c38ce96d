"""Which language to answer in: the question's, named for the model (small models ignore 'the same language')."""

from __future__ import annotations

from assistant.answer.question import detect_language

LANGUAGE_NAMES = {
    "sq": "Albanian", "ar": "Arabic", "bs": "Bosnian", "bg": "Bulgarian", "ca": "Catalan", "zh": "Chinese",
    "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch", "en": "English", "et": "Estonian",
    "fi": "Finnish", "fr": "French", "ka": "Georgian", "de": "German", "el": "Greek", "he": "Hebrew",
    "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic", "ga": "Irish", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "lv": "Latvian", "lt": "Lithuanian", "mk": "Macedonian", "nb": "Norwegian", "nn": "Norwegian",
    "fa": "Persian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sr": "Serbian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian",
    "mt": "Maltese", "cy": "Welsh",
}  # fmt: skip


def language_name(code: str) -> str:
    """The English name of a language code ('de' -> 'German')."""
    return LANGUAGE_NAMES.get(code, "the language of the question")


def answer_language(question: str) -> str | None:
    """The language to answer in by name ('German'), or None for English (lingua's detection)."""
    code = detect_language(question)
    return None if code == "en" else language_name(code)


# What a fallback answer to a question in another language starts with: the answer below is the statement's own
# English. Fixed text, never the model's, so the asker is told in their language whatever the model writes.
FALLBACK_LEADS = {
    "sq": "Burimi thotë (në anglisht):", "ar": "يقول المصدر (بالإنجليزية):", "bs": "Izvor kaže (na engleskom):",
    "bg": "Източникът казва (на английски):", "ca": "La font diu (en anglès):", "zh": "原文（英文）写道：",
    "hr": "Izvor kaže (na engleskom):", "cs": "Zdroj uvádí (v angličtině):", "da": "Kilden siger (på engelsk):",
    "nl": "De bron zegt (in het Engels):", "et": "Allikas ütleb (inglise keeles):",
    "fi": "Lähteessä sanotaan (englanniksi):", "fr": "La source dit (en anglais) :",
    "ka": "წყაროში ნათქვამია (ინგლისურად):", "de": "Die Quelle sagt dazu (auf Englisch):",
    "el": "Η πηγή αναφέρει (στα αγγλικά):", "he": "במקור נאמר (באנגלית):", "hi": "स्रोत में कहा गया है (अंग्रेज़ी में):",
    "hu": "A forrás szerint (angolul):", "is": "Í heimildinni segir (á ensku):", "ga": "Deir an fhoinse (i mBéarla):",
    "it": "La fonte dice (in inglese):", "ja": "原文（英語）には次のようにあります：",
    "ko": "원문(영어)에는 다음과 같이 적혀 있습니다:", "lv": "Avotā teikts (angliski):",
    "lt": "Šaltinyje sakoma (anglų kalba):", "mk": "Изворот вели (на англиски):",
    "nb": "Kilden sier (på engelsk):", "fa": "در منبع آمده است (به انگلیسی):", "pl": "Źródło mówi (po angielsku):",
    "pt": "A fonte diz (em inglês):", "ro": "Sursa spune (în engleză):", "ru": "В источнике говорится (по-английски):",
    "sr": "Извор каже (на енглеском):", "sk": "Zdroj uvádza (v angličtine):", "sl": "Vir pravi (v angleščini):",
    "es": "La fuente dice (en inglés):", "sv": "Källan säger (på engelska):",
    "tr": "Kaynakta şöyle deniyor (İngilizce):", "uk": "У джерелі сказано (англійською):",
    "mt": "Is-sors tgħid (bl-Ingliż):", "cy": "Mae'r ffynhonnell yn dweud (yn Saesneg):",
}  # fmt: skip


def fallback_lead(code: str) -> str | None:
    """The lead of a fallback answer in this language (None for English, which needs none)."""
    if code == "en":
        return None
    return FALLBACK_LEADS.get(code, "The source says (in English):")
