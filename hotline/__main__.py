from hotline.app.cli import main

main()
