"""Units every component shares (docs/interfaces.md): energy in Wh, factors in g-CO2/MWh, credits
in whole t-CO2. Integers throughout, so Python and the contracts round the same way."""

G_PER_T = 1_000_000  # grams of CO2 in one tonne (one credit)
WH_PER_MWH = 1_000_000
SECONDS_PER_HOUR = 3600
