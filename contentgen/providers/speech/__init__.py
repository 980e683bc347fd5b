"""Speech providers: espeak-ng (offline default) and transformers VITS models; text normalisation for speech."""
