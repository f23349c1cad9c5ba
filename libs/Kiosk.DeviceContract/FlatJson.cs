using System.Collections;

namespace Kiosk.DeviceContract
{
    /// <summary>
    /// Reads the contract's JSON payloads: one object whose fields are strings, integers, booleans or null. Nested
    /// objects and arrays are skipped (a later firmware may add them; readers ignore what they do not know). Written in
    /// the nanoFramework subset so the device and the host read the payloads with the same code.
    /// </summary>
    public class FlatJson
    {
        /// <summary>Deepest nesting skipped before the payload is refused.</summary>
        private const int MaxDepth = 16;

        private readonly ArrayList _names = new ArrayList();
        private readonly ArrayList _values = new ArrayList();

        private FlatJson()
        {
        }

        /// <summary>The object, or null when the text is not one well-formed JSON object.</summary>
        public static FlatJson Parse(string text)
        {
            if (text == null) return null;
            FlatJson json = new FlatJson();
            int i = SkipSpace(text, 0);
            if (i >= text.Length || text[i] != '{') return null;
            i = SkipSpace(text, i + 1);
            if (i < text.Length && text[i] == '}') return SkipSpace(text, i + 1) == text.Length ? json : null;
            while (true)
            {
                string name;
                i = ReadString(text, i, out name);
                if (i < 0) return null;
                i = SkipSpace(text, i);
                if (i >= text.Length || text[i] != ':') return null;
                i = SkipSpace(text, i + 1);
                object value;
                i = ReadValue(text, i, 0, out value);
                if (i < 0) return null;
                json._names.Add(name);
                json._values.Add(value);
                i = SkipSpace(text, i);
                if (i >= text.Length) return null;
                if (text[i] == '}') break;
                if (text[i] != ',') return null;
                i = SkipSpace(text, i + 1);
            }
            return SkipSpace(text, i + 1) == text.Length ? json : null;
        }

        public static FlatJson Parse(byte[] utf8)
        {
            return utf8 == null ? null : Parse(Utf8.Decode(utf8));
        }

        /// <summary>The string field, or null when it is absent or not a string.</summary>
        public string GetString(string name)
        {
            return Find(name) as string;
        }

        /// <summary>The integer field, or fallback when it is absent or not an integer.</summary>
        public long GetInteger(string name, long fallback)
        {
            object value = Find(name);
            return value is long ? (long)value : fallback;
        }

        public bool HasBoolean(string name)
        {
            return Find(name) is bool;
        }

        public bool GetBoolean(string name, bool fallback)
        {
            object value = Find(name);
            return value is bool ? (bool)value : fallback;
        }

        private object Find(string name)
        {
            // The last occurrence wins, as in most JSON readers.
            for (int i = _names.Count - 1; i >= 0; i--)
            {
                if ((string)_names[i] == name) return _values[i];
            }
            return null;
        }

        private static int SkipSpace(string text, int i)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) i++;
            return i;
        }

        /// <summary>Reads a value at i; returns the index after it, or -1. Nested values give null.</summary>
        private static int ReadValue(string text, int i, int depth, out object value)
        {
            value = null;
            if (i >= text.Length) return -1;
            char c = text[i];
            if (c == '"')
            {
                string s;
                int end = ReadString(text, i, out s);
                value = s;
                return end;
            }
            if (c == '{' || c == '[') return SkipNested(text, i, depth + 1);
            if (Matches(text, i, "true")) { value = true; return i + 4; }
            if (Matches(text, i, "false")) { value = false; return i + 5; }
            if (Matches(text, i, "null")) return i + 4;
            return ReadNumber(text, i, out value);
        }

        private static int SkipNested(string text, int i, int depth)
        {
            if (depth > MaxDepth) return -1;
            char close = text[i] == '{' ? '}' : ']';
            bool isObject = close == '}';
            i = SkipSpace(text, i + 1);
            if (i < text.Length && text[i] == close) return i + 1;
            while (true)
            {
                if (isObject)
                {
                    string ignored;
                    i = ReadString(text, i, out ignored);
                    if (i < 0) return -1;
                    i = SkipSpace(text, i);
                    if (i >= text.Length || text[i] != ':') return -1;
                    i = SkipSpace(text, i + 1);
                }
                object value;
                i = ReadValue(text, i, depth, out value);
                if (i < 0) return -1;
                i = SkipSpace(text, i);
                if (i >= text.Length) return -1;
                if (text[i] == close) return i + 1;
                if (text[i] != ',') return -1;
                i = SkipSpace(text, i + 1);
            }
        }

        private static bool Matches(string text, int i, string word)
        {
            if (i + word.Length > text.Length) return false;
            for (int k = 0; k < word.Length; k++)
            {
                if (text[i + k] != word[k]) return false;
            }
            return true;
        }

        /// <summary>Integers only (the contract has no fractions); a fraction or exponent makes the payload malformed.</summary>
        private static int ReadNumber(string text, int i, out object value)
        {
            value = null;
            bool negative = false;
            if (i < text.Length && text[i] == '-')
            {
                negative = true;
                i++;
            }
            int start = i;
            long n = 0;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9')
            {
                // 18 digits always fit in a long.
                if (i - start >= 18) return -1;
                n = n * 10 + (text[i] - '0');
                i++;
            }
            if (i == start) return -1;
            if (i < text.Length && (text[i] == '.' || text[i] == 'e' || text[i] == 'E')) return -1;
            value = negative ? -n : n;
            return i;
        }

        /// <summary>Reads a JSON string starting at the quote at i; returns the index after the closing quote, or -1.</summary>
        private static int ReadString(string text, int i, out string value)
        {
            value = null;
            if (i >= text.Length || text[i] != '"') return -1;
            char[] output = new char[text.Length - i];
            int n = 0;
            i++;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '"')
                {
                    value = new string(output, 0, n);
                    return i + 1;
                }
                if (c < 0x20) return -1;
                if (c != '\\')
                {
                    output[n++] = c;
                    i++;
                    continue;
                }
                if (i + 1 >= text.Length) return -1;
                char e = text[i + 1];
                i += 2;
                if (e == '"' || e == '\\' || e == '/') output[n++] = e;
                else if (e == 'b') output[n++] = '\b';
                else if (e == 'f') output[n++] = '\f';
                else if (e == 'n') output[n++] = '\n';
                else if (e == 'r') output[n++] = '\r';
                else if (e == 't') output[n++] = '\t';
                else if (e == 'u')
                {
                    if (i + 4 > text.Length) return -1;
                    int code = 0;
                    for (int k = 0; k < 4; k++)
                    {
                        int digit = HexValue(text[i + k]);
                        if (digit < 0) return -1;
                        code = code * 16 + digit;
                    }
                    output[n++] = (char)code;
                    i += 4;
                }
                else return -1;
            }
            return -1;
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
