"""The answering core: question analysis, follow-ups, document outlines, quotes, refusal rules and the answerers.

`base.Answerer` is the contract; `extractive.ExtractiveAnswerer` and `assistant.generation.GeneratingAnswerer`
implement it. Import from the submodules (this package imports nothing, so `assistant.models` can use its types).
"""
