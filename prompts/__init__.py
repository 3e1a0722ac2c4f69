"""Prompt catalog and the audio build that turns it into files Asterisk plays.

Modules: `catalog` (the texts, checked), `spoken` (how a text is handed to a voice),
`backends` (espeak-ng, gTTS), `audio` (sox), `cache`, `recorded` (studio takes, their script
and their check), `build`, `manifest`, `pronunciation` (what espeak-ng makes of a text),
`cli` (`ivr prompts …`).

Exceptions: one root, `prompts.errors.PromptsError`; each error also keeps its built-in base,
so code that catches `LookupError` or `ValueError` is not broken by the root.

    PromptsError
    ├── CatalogError (ValueError)          prompts.catalog: a catalog file breaks a rule
    ├── UnknownPromptError (LookupError)   prompts.catalog, prompts.manifest: no such id/language
    ├── ManifestError (ValueError)         prompts.manifest: not a manifest of this pipeline
    ├── AudioError (RuntimeError)          prompts.audio
    │   ├── ConversionError                  sox failed
    │   └── SilentAudioError                 too short or too quiet to be speech
    ├── BackendError (RuntimeError)        prompts.backends
    │   ├── SynthesisError                   the engine failed or returned no audio
    │   └── RateLimitedError                 HTTP 429 after every retry (gTTS)
    ├── RecordingError (ValueError)        prompts.recorded: a required recording set is
    │                                        incomplete, silent or clipped
    └── BuildError (RuntimeError)          prompts.build: names the language and id that failed
"""
