"""Young-driver telematics (issue 16, TEL-1..TEL-10): the Smartbox's lifecycle, positions ingested and stored
columnar, journeys, speed limits from OpenStreetMap and map matching, the four-indicator score, 90-day re-rating,
speeding alerts, mileage, tampering, data use and theft tracking. The top context: a re-rating is a policy
adjustment made through the lifecycle below it (docs/telematics.md)."""
