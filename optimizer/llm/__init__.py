"""The LLM layer: retry, cache, validation, prompts, providers and prices. No Django views here."""
