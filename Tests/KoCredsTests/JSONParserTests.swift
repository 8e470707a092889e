import Testing
@testable import KoCreds
