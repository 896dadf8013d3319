"""Carbon offsetting for eco policies (ECO-1): the product's offset settings (`spec`) and the figures
computed from a car and its declared mileage (`offsets`)."""
