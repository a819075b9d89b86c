from fitdoctor.cli import main

main()
