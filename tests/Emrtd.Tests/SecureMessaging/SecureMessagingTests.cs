using Kiosk.Emrtd;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;

namespace Emrtd.Tests.SecureMessaging;

public class SecureMessagingTests
{
    private static SessionKeys D4Keys()
    {
        var v = Vectors.Section("secure_messaging_3des");
        return new SessionKeys(CipherKind.TripleDes, v.Bytes("ks_enc"), v.Bytes("ks_mac"), v.Bytes("ssc_start"));
    }

    [Fact]
    public void Terminal_replays_the_three_d4_exchanges_byte_exact()
    {
        var session = D4Keys().StartSession();
        ulong ssc = Convert.ToUInt64(Vectors.Section("secure_messaging_3des").Text("ssc_start"), 16);
        foreach (var exchange in Vectors.Section("secure_messaging_3des").GetProperty("exchanges").EnumerateArray())
        {
            CommandApdu plain = CommandApdu.Parse(exchange.Bytes("plain_command"));
            Assert.Equal(exchange.Text("protected_command"), Hex.Of(session.WrapCommand(plain)));
            Assert.Equal($"{++ssc:X16}", Hex.Of(session.SendSequenceCounter));
            ResponseApdu response = session.UnwrapResponse(exchange.Bytes("protected_response"));
            Assert.Equal(exchange.Text("plain_response"), Hex.Of(response.Encode()));
            Assert.Equal($"{++ssc:X16}", Hex.Of(session.SendSequenceCounter));
        }
        Assert.Equal("887022120C06C22C", Hex.Of(session.SendSequenceCounter));
    }

    [Fact]
    public void Pipelined_terminal_wraps_all_three_d4_commands_first_and_still_matches_byte_exact()
    {
        var session = D4Keys().StartSession();
        var exchanges = Vectors.Section("secure_messaging_3des").GetProperty("exchanges").EnumerateArray().ToList();
        var slots = new ResponseSlot[exchanges.Count];
        for (int i = 0; i < exchanges.Count; i++)
            Assert.Equal(exchanges[i].Text("protected_command"), Hex.Of(session.WrapCommand(CommandApdu.Parse(exchanges[i].Bytes("plain_command")), out slots[i])));
        // The counter has moved past every response already: the same end as the sequential replay.
        Assert.Equal("887022120C06C22C", Hex.Of(session.SendSequenceCounter));
        for (int i = 0; i < exchanges.Count; i++)
            Assert.Equal(exchanges[i].Text("plain_response"), Hex.Of(session.UnwrapResponse(slots[i], exchanges[i].Bytes("protected_response")).Encode()));
    }

    [Fact]
    public void Pipelined_aes_reads_round_trip_with_a_card_session_and_a_swapped_response_is_refused()
    {
        var keys = new SessionKeys(CipherKind.Aes128, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(),
            Enumerable.Range(2, 16).Select(i => (byte)i).ToArray(), new byte[16]);
        var terminal = keys.StartSession();
        var card = keys.StartSession();
        var slots = new ResponseSlot[5];
        var commands = Enumerable.Range(0, 5).Select(i => terminal.WrapCommand(new CommandApdu(0x00, 0xB0, 0x00, (byte)(i * 16), [], 16), out slots[i])).ToList();
        var responses = commands.Select((c, i) =>
        {
            CommandApdu plain = card.UnwrapCommand(c);
            Assert.Equal(i * 16, plain.P2);
            return card.WrapResponse(new ResponseApdu(Enumerable.Repeat((byte)i, 16).ToArray(), 0x9000));
        }).ToList();
        for (int i = 0; i < 5; i++) Assert.Equal(Enumerable.Repeat((byte)i, 16).ToArray(), terminal.UnwrapResponse(slots[i], responses[i]).Data);
        Assert.Throws<SecureMessagingException>(() => terminal.UnwrapResponse(slots[0], responses[1]));
        Assert.Throws<ArgumentException>(() => terminal.UnwrapResponse(default, responses[0]));
    }

    [Fact]
    public void Card_replays_the_three_d4_exchanges_byte_exact()
    {
        var session = D4Keys().StartSession();
        foreach (var exchange in Vectors.Section("secure_messaging_3des").GetProperty("exchanges").EnumerateArray())
        {
            CommandApdu unwrapped = session.UnwrapCommand(exchange.Bytes("protected_command"));
            Assert.Equal(exchange.Text("plain_command"), Hex.Of(unwrapped.Encode()));
            byte[] wrapped = session.WrapResponse(ResponseApdu.Parse(exchange.Bytes("plain_response")));
            Assert.Equal(exchange.Text("protected_response"), Hex.Of(wrapped));
        }
    }

    [Fact]
    public void Ef_com_reassembles_from_the_two_reads()
    {
        var v = Vectors.Section("secure_messaging_3des");
        var exchanges = v.GetProperty("exchanges").EnumerateArray().ToArray();
        var session = D4Keys().StartSession();
        var content = new List<byte>();
        foreach (var exchange in exchanges)
        {
            session.WrapCommand(CommandApdu.Parse(exchange.Bytes("plain_command")));
            content.AddRange(session.UnwrapResponse(exchange.Bytes("protected_response")).Data);
        }
        Assert.Equal(v.Text("ef_com"), Hex.Of(content.ToArray()));
    }

    [Fact]
    public void A_wrong_mac_is_a_typed_error_both_ways()
    {
        var exchange = Vectors.Section("secure_messaging_3des").GetProperty("exchanges")[1];
        byte[] response = exchange.Bytes("protected_response");
        response[^3] ^= 0x01; // last MAC byte
        var terminal = D4Keys().StartSession();
        terminal.WrapCommand(CommandApdu.Parse(Vectors.Section("secure_messaging_3des").GetProperty("exchanges")[0].Bytes("plain_command")));
        Assert.Throws<SecureMessagingException>(() => terminal.UnwrapResponse(exchange.Bytes("protected_response")));

        var card = D4Keys().StartSession();
        byte[] command = Vectors.Section("secure_messaging_3des").GetProperty("exchanges")[0].Bytes("protected_command");
        command[10] ^= 0x80; // a cryptogram byte: covered by the MAC
        var error = Assert.Throws<SecureMessagingException>(() => card.UnwrapCommand(command));
        Assert.Contains("MAC mismatch", error.Message);
    }

    [Fact]
    public void A_plain_error_status_passes_through_but_9000_without_objects_does_not()
    {
        var session = D4Keys().StartSession();
        Assert.Equal(0x6988, session.UnwrapResponse(Hex.Bytes("6988")).StatusWord);
        Assert.Throws<SecureMessagingException>(() => session.UnwrapResponse(Hex.Bytes("9000")));
    }

    [Theory]
    [InlineData(CipherKind.Aes128)]
    [InlineData(CipherKind.Aes192)]
    [InlineData(CipherKind.Aes256)]
    [InlineData(CipherKind.TripleDes)]
    public void Terminal_and_card_agree_for_every_cipher_and_length_form(CipherKind cipher)
    {
        byte[] encryption = Enumerable.Range(1, cipher.KeyLength()).Select(i => (byte)(i * 7)).ToArray();
        byte[] mac = Enumerable.Range(1, cipher.KeyLength()).Select(i => (byte)(i * 13)).ToArray();
        var keys = new SessionKeys(cipher, encryption, mac, new byte[cipher.BlockSize()]);
        var terminal = keys.StartSession();
        var card = keys.StartSession();
        CommandApdu[] commands =
        [
            new(0x00, 0xA4, 0x02, 0x0C, Hex.Bytes("0101")),
            new(0x00, 0xB0, 0x00, 0x00, [], 256),
            new(0x00, 0xB1, 0x00, 0x00, Hex.Bytes("5402FFFF"), 300), // odd INS (DO85) and extended Le
            new(0x00, 0xB0, 0x00, 0x00, [], 65536),
        ];
        foreach (CommandApdu command in commands)
        {
            CommandApdu received = card.UnwrapCommand(terminal.WrapCommand(command));
            Assert.Equal(Hex.Of(command.Encode()), Hex.Of(received.Encode()));
            byte[] answer = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
            ResponseApdu unwrapped = terminal.UnwrapResponse(card.WrapResponse(new ResponseApdu(answer, 0x9000)));
            Assert.Equal(Hex.Of(answer), Hex.Of(unwrapped.Data));
            Assert.Equal(Hex.Of(terminal.SendSequenceCounter), Hex.Of(card.SendSequenceCounter));
        }
    }
}
