"""The lab document's four functions (Lab 4, Tasks 4 and 6), kept as the lab gives them."""
