using System.Text.Json;

namespace Emrtd.Tests;

/// <summary>The ICAO 9303 worked examples of vectors/icao9303.json (copied from shared/vectors), read from the output folder.</summary>
internal static class Vectors
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "icao9303.json"))).RootElement);

    public static JsonElement Section(string name) => Root.Value.GetProperty(name);

    public static string Text(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static byte[] Bytes(this JsonElement element, string name) => Convert.FromHexString(element.Text(name));
}

internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

/// <summary>Randomness that hands out the values of a worked example, in order, and fails loudly on a wrong length.</summary>
internal sealed class ScriptedRandom(params byte[][] values)
{
    private readonly Queue<byte[]> queue = new(values);

    public byte[] Next(int count)
    {
        byte[] value = queue.Dequeue();
        Assert.Equal(count, value.Length);
        return value;
    }
}
