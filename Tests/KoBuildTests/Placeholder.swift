import Testing

@Test func placeholder_KoBuildTests() {}
