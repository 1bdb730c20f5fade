from icss.reference.cli import main

main()
