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
    "mt": "Maltese",
}  # fmt: skip


def language_name(code: str) -> str:
    """The English name of a language code ('de' -> 'German')."""
    return LANGUAGE_NAMES.get(code, "the language of the question")


def answer_language(question: str) -> str | None:
    """The language to answer in by name ('German'), or None for English (lingua's detection)."""
    code = detect_language(question)
    return None if code == "en" else language_name(code)
