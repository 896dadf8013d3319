"""Carbon offsetting for eco policies (ECO-1): each policy year's offset, the customer's statement and the portfolio report."""
