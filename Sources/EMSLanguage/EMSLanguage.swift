public enum EMSLanguage {}
