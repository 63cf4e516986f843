from sourcewise.cli import main

main()
