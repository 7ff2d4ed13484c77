"""Training the diacritic restorer's model (``make textvn-model``): sources, Kneser-Ney
estimation, the build. Not imported at run time; needs nothing the runtime does not have."""
