using Kiosk.Emrtd.PassiveAuthentication;
using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Card;

/// <summary>
/// The chip-trust policy (issue 9) as a pure function, inputs → outcome; then the same policy over real bytes: a
/// genuine, validly signed SOD whose DG14 and DG15 the read did not get is not verified.
/// </summary>
public sealed class CardTrustPolicyTests
{
    private static readonly HashSet<int> Cccd = [1, 2, 13, 14, 15];

    private static CardTrustDecision Decide(PassiveCheck passive, ChipCheck chip, ChipCheck active, IEnumerable<int>? listed = null,
        IEnumerable<int>? read = null, IEnumerable<int>? notReturned = null, bool sod = true, bool chipPresent = true) =>
        CardTrustPolicy.Decide(new CardTrustInput
        {
            PassiveAuthentication = passive,
            SecurityObjectPresent = sod,
            ListedDataGroups = (listed ?? Cccd).ToHashSet(),
            ReadDataGroups = (read ?? listed ?? Cccd).ToHashSet(),
            NotReturned = (notReturned ?? []).ToHashSet(),
            ChipAuthentication = chip,
            ActiveAuthentication = active,
            ChipPresent = chipPresent,
        });

    [Fact]
    public void A_genuine_card_whose_chip_passes_both_checks_is_verified()
    {
        var decision = Decide(PassiveCheck.Valid, ChipCheck.Passed, ChipCheck.Passed);
        Assert.Equal(CardTrust.Verified, decision.Trust);
        Assert.Empty(decision.Reasons);
        Assert.False(decision.PossibleClone);
    }

    [Fact]
    public void A_card_whose_sod_lists_neither_dg14_nor_dg15_is_verified_on_passive_authentication()
    {
        var decision = Decide(PassiveCheck.Valid, ChipCheck.NotSupported, ChipCheck.NotSupported, listed: [1, 13]);
        Assert.Equal(CardTrust.Verified, decision.Trust);
    }

    [Fact]
    public void A_dg14_read_and_without_a_chip_authentication_key_needs_no_chip_authentication()
    {
        // DG14 that matched the SOD and holds active-authentication info only: the issuer gave the chip no CA key.
        var decision = Decide(PassiveCheck.Valid, ChipCheck.NotSupported, ChipCheck.Passed, listed: [1, 13, 14, 15]);
        Assert.Equal(CardTrust.Verified, decision.Trust);
    }

    [Theory]
    [InlineData(ChipCheck.Failed, ChipCheck.Passed, CardTrustReason.ChipAuthenticationFailed)]
    [InlineData(ChipCheck.Passed, ChipCheck.Failed, CardTrustReason.ActiveAuthenticationFailed)]
    [InlineData(ChipCheck.UnknownProtocol, ChipCheck.Passed, CardTrustReason.ChipAuthenticationNotCompleted)]
    [InlineData(ChipCheck.NotPerformed, ChipCheck.Passed, CardTrustReason.ChipAuthenticationNotCompleted)]
    [InlineData(ChipCheck.Passed, ChipCheck.UnknownProtocol, CardTrustReason.ActiveAuthenticationNotCompleted)]
    public void A_chip_check_that_fails_or_cannot_be_completed_refuses_a_card_with_valid_data(ChipCheck chip, ChipCheck active, CardTrustReason reason)
    {
        var decision = Decide(PassiveCheck.Valid, chip, active);
        Assert.Equal(CardTrust.Refused, decision.Trust);
        Assert.Equal([reason], decision.Reasons);
        Assert.True(decision.PossibleClone);
    }

    [Fact]
    public void A_genuine_sod_listing_dg14_and_dg15_read_without_them_is_not_verified()
    {
        // As the foundation's reader saw it: the files not asked for (EF.COM left them out), the checks "not supported".
        var skipped = Decide(PassiveCheck.Valid, ChipCheck.NotSupported, ChipCheck.NotSupported, read: [1, 13]);
        Assert.Equal(CardTrust.Refused, skipped.Trust);
        Assert.Equal([CardTrustReason.ChipAuthenticationNotCompleted, CardTrustReason.ActiveAuthenticationNotCompleted], skipped.Reasons);

        // Asked for, and the chip answered 6A82 (or a secure-messaging error).
        var withheld = Decide(PassiveCheck.Valid, ChipCheck.NotRead, ChipCheck.NotRead, read: [1, 13], notReturned: [14, 15]);
        Assert.Equal(CardTrust.Refused, withheld.Trust);
        Assert.Equal([CardTrustReason.ListedFileNotReturned, CardTrustReason.ChipAuthenticationNotCompleted, CardTrustReason.ActiveAuthenticationNotCompleted],
            withheld.Reasons);
        Assert.True(withheld.PossibleClone);
    }

    [Fact]
    public void Invalid_data_or_no_sod_is_refused_whatever_the_chip_says()
    {
        var tampered = Decide(PassiveCheck.Invalid, ChipCheck.Passed, ChipCheck.Passed);
        Assert.Equal(CardTrust.Refused, tampered.Trust);
        Assert.Equal([CardTrustReason.PassiveAuthenticationInvalid], tampered.Reasons);
        Assert.False(tampered.PossibleClone);

        var noSod = Decide(PassiveCheck.Invalid, ChipCheck.NotSupported, ChipCheck.NotSupported, listed: [], read: [1, 13], sod: false);
        Assert.Equal(CardTrust.Refused, noSod.Trust);
        Assert.Equal([CardTrustReason.SecurityObjectMissing], noSod.Reasons);
    }

    [Fact]
    public void An_untrusted_signer_with_a_genuine_chip_may_file_marked_but_not_a_clone()
    {
        var untrusted = Decide(PassiveCheck.Untrusted, ChipCheck.Passed, ChipCheck.Passed);
        Assert.Equal(CardTrust.Untrusted, untrusted.Trust);
        Assert.Equal([CardTrustReason.PassiveAuthenticationUntrusted], untrusted.Reasons);

        var untrustedClone = Decide(PassiveCheck.Untrusted, ChipCheck.Failed, ChipCheck.Passed);
        Assert.Equal(CardTrust.Refused, untrustedClone.Trust);
    }

    [Fact]
    public void A_listed_data_group_not_returned_refuses_even_when_no_chip_check_needs_it()
    {
        var decision = Decide(PassiveCheck.Valid, ChipCheck.NotSupported, ChipCheck.NotSupported, listed: [1, 2, 13], read: [1, 13], notReturned: [2]);
        Assert.Equal(CardTrust.Refused, decision.Trust);
        Assert.Equal([CardTrustReason.ListedFileNotReturned], decision.Reasons);
    }

    [Fact]
    public void A_dump_is_never_verified_when_its_sod_calls_for_chip_checks()
    {
        var dump = Decide(PassiveCheck.Valid, ChipCheck.NotPerformed, ChipCheck.NotPerformed, chipPresent: false);
        Assert.Equal(CardTrust.Refused, dump.Trust);
        Assert.Equal([CardTrustReason.ChipNotPresent], dump.Reasons);
        Assert.False(dump.PossibleClone);
        Assert.Equal(CardTrust.Verified, Decide(PassiveCheck.Valid, ChipCheck.NotSupported, ChipCheck.NotSupported, listed: [1, 13], chipPresent: false).Trust);
    }

    // ---------- the policy over real bytes (CardVerifier) ----------

    private static CardVerification VerifyFiles(SignedCard card, ChipChecks chip, IReadOnlyDictionary<string, string>? notReturned, params string[] without)
    {
        var files = card.Files.Where(f => !without.Contains(f.Key) && f.Key != "EF.COM").ToDictionary(f => f.Key, f => f.Value);
        var read = new CardFiles(files, chip, new CardReadTimings(0, new Dictionary<string, double>(), 0, 0))
        {
            NotReturned = notReturned ?? new Dictionary<string, string>(),
        };
        var trust = CscaTrustStore.FromFolder(card.TrustFolder);
        return CardVerifier.Verify(read, trust, DateTimeOffset.UtcNow, DateOnly.FromDateTime(DateTime.Today)).Verification;
    }

    [Fact]
    public void A_genuine_signed_sod_whose_dg14_and_dg15_were_not_read_is_not_verified()
    {
        using var card = new SignedCard();
        // Every hash the read has matches, the signature chains to the kiosk's CSCA: passive authentication is valid.
        var skipped = VerifyFiles(card, new ChipChecks(ChipCheck.NotSupported, ChipCheck.NotSupported), null, "DG14", "DG15");
        Assert.Equal(PassiveCheck.Valid, skipped.PassiveAuthentication);
        Assert.Equal([1, 13, 14, 15], skipped.DataGroupsListed);
        Assert.Equal([1, 13], skipped.DataGroupsRead);
        Assert.Equal(CardTrust.Refused, skipped.Trust);
        Assert.False(skipped.Verified);

        var withheld = VerifyFiles(card, new ChipChecks(ChipCheck.NotRead, ChipCheck.NotRead),
            new Dictionary<string, string> { ["DG14"] = "SW 6A82", ["DG15"] = "SecureMessaging" }, "DG14", "DG15");
        Assert.Equal(CardTrust.Refused, withheld.Trust);
        Assert.Equal([14, 15], withheld.DataGroupsNotReturned);
        Assert.Contains(CardTrustReason.ListedFileNotReturned, withheld.Reasons);

        // The same files with the chip's checks done: verified, and the record says what was proved.
        var genuine = VerifyFiles(card, new ChipChecks(ChipCheck.NotSupported, ChipCheck.Passed), null);
        Assert.Equal(CardTrust.Verified, genuine.Trust);
        Assert.Equal("SHA-256", genuine.SodDigestAlgorithm);
        Assert.Equal(64, genuine.SodSha256!.Length);
        Assert.Equal(SignedCard.CscaName, genuine.DocumentSignerIssuer);
        Assert.Equal(SignedCard.SignerSerialNumber, genuine.DocumentSignerSerialNumber);
        Assert.Equal(FingerprintResult.NotRequired, genuine.Fingerprint);
    }

    [Fact]
    public void Tampered_data_is_refused_with_the_failing_hash_named()
    {
        using var card = new SignedCard();
        card.Files["DG13"] = [.. card.Files["DG13"][..^1], (byte)(card.Files["DG13"][^1] ^ 1)];
        var v = VerifyFiles(card, new ChipChecks(ChipCheck.NotSupported, ChipCheck.Passed), null);
        Assert.Equal(CardTrust.Refused, v.Trust);
        Assert.Equal([CardTrustReason.PassiveAuthenticationInvalid], v.Reasons);
        Assert.Contains("DG13 hash does not match the SOD", v.PassiveAuthenticationFailures);
    }
}
