import Testing

@Test func placeholder_KoCredsTests() {}
