print("spdmctl")
