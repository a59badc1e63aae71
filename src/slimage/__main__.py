from slimage.cli import main

main()
