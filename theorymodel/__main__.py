from theorymodel.cli.main import entry

entry()
