// Part of the public API of nanoFramework.System.Text 1.3.42 (signatures from ../nano-packages-api.txt); no implementation.
using System;

namespace System.Text
{
    public abstract class Decoder
    {
        public abstract void Convert(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex, int charCount, bool flush, out int bytesUsed, out int charsUsed, out bool completed);
    }

    [Serializable]
    public abstract class Encoding
    {
        public virtual byte[] GetBytes(String s) { throw null; }
        public virtual int GetBytes(string s, int charIndex, int charCount, byte[] bytes, int byteIndex) { throw null; }
        public virtual char[] GetChars(byte[] bytes) { throw null; }
        public virtual char[] GetChars(byte[] bytes, int byteIndex, int byteCount) { throw null; }
        public virtual string GetString(byte[] bytes, int index, int count) { throw null; }
        public abstract Decoder GetDecoder();
        public static Encoding UTF8 { get { throw null; } }
    }

    public class UTF8Encoding : Encoding
    {
        public UTF8Encoding() { throw null; }
        public override byte[] GetBytes(String s) { throw null; }
        public override int GetBytes(string s, int charIndex, int charCount, byte[] bytes, int byteIndex) { throw null; }
        public override char[] GetChars(byte[] bytes) { throw null; }
        public override char[] GetChars(byte[] bytes, int byteIndex, int byteCount) { throw null; }
        public override Decoder GetDecoder() { throw null; }
    }
}
