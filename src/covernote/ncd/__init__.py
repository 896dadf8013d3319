"""No-claims discount: proof of NCD (NCD-1), which claims step it back (NCD-2, NCD-5), protection (NCD-3, NCD-4) and the proof letter on leaving."""
