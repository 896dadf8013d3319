"""The policy lifecycle (POL-1..6): quote, bind, adjust, renew, cancel, void and read a policy as the API
shows it. Each transaction composes the contexts below it: rating and the policy record, extras, NCD,
carbon, the bureaux' checks, privacy's restrictions and the ledger's money."""
