import CLibFuzzer

/// The C signature of `LLVMFuzzerTestOneInput`.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// The process entry of a fuzz target. SwiftPM links executables with `main` aliased to
/// `<Module>_main`; under `-parse-as-library` nothing defines that, so each target defines it with
/// `@_cdecl` and calls this, which runs libFuzzer's own driver (flags, corpus, crash files).
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ testOneInput: FuzzTestOneInput) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
