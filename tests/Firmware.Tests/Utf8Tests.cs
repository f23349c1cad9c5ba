using Kiosk.DeviceContract;

namespace Firmware.Tests;

public class Utf8Tests
{
    [Theory]
    [InlineData("")]
    [InlineData("kiosk")]
    [InlineData("Nguyễn Văn An — Hà Nội")]
    [InlineData("emoji 😀 and € sign")]
    public void MatchesTheBclEncoder(string text)
    {
        byte[] bytes = Utf8.Encode(text);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), bytes);
        Assert.Equal(text, Utf8.Decode(bytes));
    }

    [Fact]
    public void LoneSurrogateBecomesReplacementCharacter()
    {
        Assert.Equal("EFBFBD", Hex.Of(Utf8.Encode("\uD800")));
    }

    [Fact]
    public void InvalidSequencesDecodeToReplacementCharacters()
    {
        Assert.Equal("\uFFFD", Utf8.Decode(new byte[] { 0xC0, 0xAF }[..1]));
        Assert.Equal("\uFFFD\uFFFD", Utf8.Decode(new byte[] { 0xC0, 0xAF }));
        Assert.Equal("\uFFFDA", Utf8.Decode(new byte[] { 0xE2, 0x82, 0x41 }));
    }
}
