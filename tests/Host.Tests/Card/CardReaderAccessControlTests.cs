using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.SecureMessaging;
using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;
using EmrtdCommandApdu = Kiosk.Emrtd.Iso7816.CommandApdu;
using EmrtdResponseApdu = Kiosk.Emrtd.Iso7816.ResponseApdu;

namespace Kiosk.Host.Tests.Card;

/// <summary>
/// The reader opens a chip with PACE before reading. The chip here replays ICAO 9303 Part 11 Appendix G.1 (PACE-ECDH-GM-
/// AES-128, brainpoolP256r1, MRZ password) byte for byte, then answers the foundation reads of <see cref="TestCard"/>
/// through AES secure messaging with the G.1 session keys.
/// </summary>
public class CardReaderAccessControlTests
{
    private const string CardAccess = "31143012060A04007F0007020204020202010202010D";
    private const string MapPrivateKey = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99";
    private const string EphemeralPrivateKey = "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595";
    private const string SessionEncryptionKey = "F5F0E35C0D7161EE6724EE513A0D9A7F";
    private const string SessionMacKey = "FE251C7858B356B24514B3BD5F4297D1";

    private static readonly (string Command, string Response)[] PaceTranscript =
    [
        ("0022C1A40F800A04007F00070202040202830101", "9000"),
        ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
        ("10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
         "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000"),
        ("10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
         "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000"),
        ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
    ];

    /// <summary>EF.CardAccess in plain, the G.1 transcript, then secure messaging in front of a <see cref="TestCard"/>.</summary>
    private sealed class G1Card(string lastPaceResponse) : ICardChannel
    {
        private readonly TestCard files = TestCard.Sample();
        private readonly SecureMessagingSession session = new SessionKeys(CipherKind.Aes128,
            Convert.FromHexString(SessionEncryptionKey), Convert.FromHexString(SessionMacKey), new byte[16]).StartSession();
        private int paceStep;
        private bool cardAccessSelected;

        public List<byte[]> Commands { get; } = [];

        public async Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
        {
            Commands.Add(command);
            string hex = Convert.ToHexString(command);
            if (hex == "00A4020C02011C") { cardAccessSelected = true; return [0x90, 0x00]; }
            if (cardAccessSelected && paceStep == 0 && command[1] == 0xB0)
            {
                byte[] content = Convert.FromHexString(CardAccess);
                int offset = (command[2] << 8) | command[3], length = Math.Min(command[4], content.Length - offset);
                return [.. content.AsSpan(offset, length), 0x90, 0x00];
            }
            if (paceStep < PaceTranscript.Length)
            {
                Assert.Equal(PaceTranscript[paceStep].Command, hex);
                string response = paceStep == PaceTranscript.Length - 1 ? lastPaceResponse : PaceTranscript[paceStep].Response;
                paceStep++;
                return Convert.FromHexString(response);
            }
            EmrtdCommandApdu plain = session.UnwrapCommand(command);
            byte[] answer = await files.TransmitAsync(plain.Encode(), ct);
            return session.WrapResponse(EmrtdResponseApdu.Parse(answer));
        }
    }

    /// <summary>The reader with the G.1 MRZ as key and the G.1 terminal keys as its randomness (mapping, then ephemeral).</summary>
    private static CardReader Reader(ICardChannel card)
    {
        var keys = new Queue<byte[]>([Convert.FromHexString(MapPrivateKey), Convert.FromHexString(EphemeralPrivateKey)]);
        return new CardReader(card, CardAccessKey.FromMrz("T22000129", "640812", "101031")) { Random = _ => keys.Dequeue() };
    }

    [Fact]
    public async Task Pace_from_ef_card_access_then_the_reads_go_through_secure_messaging()
    {
        var card = new G1Card(PaceTranscript[^1].Response);
        CardIdentity identity = await Reader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Equal("001099012345", identity.IdNumber);
        Assert.Equal("Nguyễn Văn An", identity.FullName);
        byte[][] afterPace = card.Commands.Skip(3 + PaceTranscript.Length).ToArray(); // select + 2 reads of EF.CardAccess
        Assert.NotEmpty(afterPace);
        Assert.All(afterPace, command => Assert.Equal(0x0C, command[0]));
    }

    [Fact]
    public async Task A_refused_password_is_the_cards_6300()
    {
        var card = new G1Card("6300");
        var error = await Assert.ThrowsAsync<CardStatusException>(() => Reader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None));
        Assert.Equal(0x6300, error.StatusWord);
    }

    [Fact]
    public async Task A_card_without_access_control_is_read_in_plain_even_with_a_key()
    {
        foreach (CardAccessKey key in new[] { CardAccessKey.FromIdNumber("001099012345"), CardAccessKey.FromMrz("099012345", "990101", "390101") })
        {
            var card = TestCard.Sample();
            CardIdentity identity = await new CardReader(card, key).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
            Assert.Equal("001099012345", identity.IdNumber);
            Assert.Contains(card.Commands, command => Convert.ToHexString(command) == "00A4040C07A0000002471001");
        }
    }

    [Fact]
    public void Access_keys_check_what_was_typed()
    {
        Assert.Throws<ArgumentException>(() => CardAccessKey.FromCan("12345"));
        Assert.Throws<ArgumentException>(() => CardAccessKey.FromCan("12345a"));
        Assert.Throws<ArgumentException>(() => CardAccessKey.FromIdNumber("0010990123"));
        Assert.Throws<ArgumentException>(() => CardAccessKey.FromMrz("099012345", "9901", "390101"));
        Assert.DoesNotContain("12345", CardAccessKey.FromCan("123456").ToString());
    }
}
