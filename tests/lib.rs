//! Black-box tests of StackRush live in `api/`: they spawn the real app on port 0.
