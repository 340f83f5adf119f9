"""`python -m viz "tanh(w*x + b)" --at w=-3 x=2 b=6.88`: the `gradledger` command line."""

from viz.cli import main

if __name__ == "__main__":
    main()
