from packtrace.cli import main

main()
