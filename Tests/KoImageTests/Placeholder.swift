import Testing

@Test func placeholder_KoImageTests() {}
