using Kiosk.Emrtd.PassiveAuthentication;
using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Profiles;
using Kiosk.Simulators.VirtualCard.Security;

namespace Kiosk.Host.Tests.Card;

/// <summary>
/// The host's full read and trust policy against the virtual CCCD itself (the simulator's chip, no relay): the SOD,
/// not EF.COM, decides what is read; clones that hide DG14/DG15 are refused; DG2 only when asked for; BAC in ICAO
/// 9303-11's order on a chip that offers it inside the eMRTD application only.
/// </summary>
public sealed class CardReaderVirtualCardTests : IDisposable
{
    private readonly TempDir _pki = new();
    private readonly PersonProfile _profile;

    public CardReaderVirtualCardTests()
    {
        Assert.True(PersonProfileStore.LoadFolder(PersonProfileStore.DefaultFolder).TryGet("nguyen-van-an", out _profile));
    }

    public void Dispose() => _pki.Dispose();

    /// <summary>The virtual card as a card channel, every command recorded.</summary>
    private sealed class Chip(IVirtualCard card) : ICardChannel
    {
        public List<byte[]> Commands { get; } = [];

        public Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
        {
            Commands.Add(command);
            return Task.FromResult(card.Process(command));
        }
    }

    private (Chip Chip, CscaTrustStore Trust) Card(CardFault fault = CardFault.None, bool bacOnly = false)
    {
        var pki = CardPki.CreateOrLoad(_pki.Path);
        var card = new VirtualCccdCard(_profile, new VirtualCardOptions
        {
            RequireAccessControl = true, BacOnly = bacOnly, Security = new CardSecurity(pki, fault),
        });
        return (new Chip(card), CscaTrustStore.FromFolder(pki.TrustFolder));
    }

    private string Can => _profile.IdNumber[^6..];

    private async Task<CardVerification> ReadAsync(Chip chip, CscaTrustStore trust, CardAccessKey key, bool includeFace = false)
    {
        var read = await new CardReader(chip, key).ReadAllAsync(includeFace, CancellationToken.None);
        return CardVerifier.Verify(read, trust, DateTimeOffset.UtcNow, DateOnly.FromDateTime(DateTime.Today)).Verification;
    }

    [Fact]
    public async Task A_genuine_card_is_verified_with_chip_and_active_authentication_and_without_dg2_unless_asked()
    {
        var (chip, trust) = Card();
        var v = await ReadAsync(chip, trust, CardAccessKey.FromCan(Can));
        Assert.Equal(CardTrust.Verified, v.Trust);
        Assert.Equal(ChipCheck.Passed, v.ChipAuthentication);
        Assert.Equal(ChipCheck.Passed, v.ActiveAuthentication);
        Assert.Equal([1, 2, 13, 14, 15], v.DataGroupsListed);
        Assert.Equal([1, 13, 14, 15], v.DataGroupsRead); // the face image stays on the chip
        Assert.Equal("SHA-256", v.SodDigestAlgorithm);
        Assert.NotNull(v.DocumentSignerSerialNumber);

        var (withFace, trust2) = Card();
        var full = await ReadAsync(withFace, trust2, CardAccessKey.FromCan(Can), includeFace: true);
        Assert.Equal([1, 2, 13, 14, 15], full.DataGroupsRead);
        Assert.True(withFace.Commands.Count > chip.Commands.Count + 30, $"{withFace.Commands.Count} vs {chip.Commands.Count}: DG2 is some 15 KB");
    }

    [Theory]
    [InlineData(CardFault.ClonedChipComWithoutDg14Dg15)]
    [InlineData(CardFault.ClonedChipDg14Dg15NotFound)]
    public async Task A_clone_hiding_the_dg14_and_dg15_its_sod_lists_is_refused_not_verified(CardFault fault)
    {
        var (chip, trust) = Card(fault);
        var v = await ReadAsync(chip, trust, CardAccessKey.FromCan(Can));
        Assert.Equal(PassiveCheck.Valid, v.PassiveAuthentication); // the copied data and SOD are genuine
        Assert.Equal(CardTrust.Refused, v.Trust);
        Assert.Equal(ChipCheck.NotRead, v.ChipAuthentication);
        Assert.Equal(ChipCheck.NotRead, v.ActiveAuthentication);
        Assert.Equal([14, 15], v.DataGroupsNotReturned);
        Assert.True(new CardTrustDecision(v.Trust, v.Reasons).PossibleClone);
    }

    [Fact]
    public async Task A_clone_with_every_file_fails_both_chip_checks()
    {
        var (chip, trust) = Card(CardFault.ClonedChip);
        var v = await ReadAsync(chip, trust, CardAccessKey.FromCan(Can));
        Assert.Equal(CardTrust.Refused, v.Trust);
        Assert.Equal([CardTrustReason.ChipAuthenticationFailed, CardTrustReason.ActiveAuthenticationFailed], v.Reasons);
    }

    [Fact]
    public async Task Bac_selects_the_emrtd_application_first_then_runs_get_challenge_and_external_authenticate()
    {
        var (chip, trust) = Card(bacOnly: true);
        var mrz = CardSecrets.From(_profile);
        var key = CardAccessKey.FromMrz(mrz.MrzInformation[..9], mrz.MrzInformation[10..16], mrz.MrzInformation[17..23]);
        var v = await ReadAsync(chip, trust, key);
        Assert.Equal(CardTrust.Verified, v.Trust);
        Assert.Equal(ChipCheck.Passed, v.ChipAuthentication);

        var hex = chip.Commands.Select(Convert.ToHexString).ToList();
        int select = hex.IndexOf("00A4040C07A0000002471001");
        int challenge = hex.IndexOf("0084000008");
        int external = hex.FindIndex(c => c.StartsWith("00820000", StringComparison.Ordinal));
        Assert.True(select >= 0 && select < challenge && challenge < external, string.Join(" ", hex.Take(8)));
        // Opened inside the application, the reader does not select it again (a plain SELECT would end secure messaging).
        Assert.Single(hex, c => c == "00A4040C07A0000002471001");
        Assert.All(chip.Commands.Skip(external + 1), c => Assert.Equal(0x0C, c[0] & 0x0C));
    }
}
