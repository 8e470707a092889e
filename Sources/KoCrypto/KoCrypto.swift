public enum KoCrypto {}
