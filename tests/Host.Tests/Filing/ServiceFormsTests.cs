using Kiosk.Host.Card;
using Kiosk.Host.Filing;
using Kiosk.Host.Places;

namespace Kiosk.Host.Tests.Filing;

public class ServiceFormsTests
{
    private static readonly AdminUnits Places = new([
        new Province(1, "Thành phố Hà Nội", [new Ward(160, "Phường Nghĩa Đô"), new Ward(166, "Phường Cầu Giấy")]),
    ]);
    private static readonly DateOnly Today = new(2026, 11, 26);

    private static CardIdentity Person(string dob = "1985-03-12", string? oldId = "012345678") => new()
    {
        IdNumber = "001085012345", FullName = "Nguyễn Văn An", DateOfBirth = DateOnly.Parse(dob), Sex = "Nam", OldIdNumber = oldId,
    };

    private static ResidenceRegistrationForm Temporary() => new()
    {
        Phone = "0912 345 678", RelationshipToHead = "con", HouseholdHeadName = "Nguyễn Văn Bình", HouseholdHeadIdNumber = "001055001234",
        AddressLine = "Số 5 ngõ 10 Nguyễn Khánh Toàn", ProvinceCode = 1, WardCode = 160,
        FromDate = "2026-11-26", ToDate = "2027-11-25", ProofDocument = "hop-dong-thue-muon",
    };

    [Theory]
    [InlineData("0912345678", "0912345678")]
    [InlineData("+84 912 345 678", "0912345678")]
    [InlineData("024.3826.1234", "02438261234")]
    [InlineData("091234567", null)]
    [InlineData("0112345678", null)]
    [InlineData("abc", null)]
    public void Phone_numbers(string input, string? expected) => Assert.Equal(expected, FormRules.NormalizePhone(input));

    [Theory]
    [InlineData("an@example.com", true)]
    [InlineData("an.nguyen+kiosk@mail.gov.vn", true)]
    [InlineData("an@", false)]
    [InlineData("an example@x.vn", false)]
    [InlineData("an@x", false)]
    public void Email_addresses(string input, bool ok)
    {
        var errors = new Dictionary<string, FieldError>();
        FormRules.Email(errors, "email", input, required: true);
        Assert.Equal(ok, errors.Count == 0);
    }

    [Fact]
    public void Temporary_residence_valid_form_carries_CT01_fields_and_the_procedure()
    {
        var (v, errors) = ServiceForms.ValidateRegistration(Services.TemporaryResidence, Temporary(), Person(), Places, Today);
        Assert.Empty(errors);
        Assert.Equal("dang-ky-tam-tru", v!.Procedure);
        Assert.Equal("CT01", v.Form["form"]!.GetValue<string>());
        Assert.Equal("0912345678", v.Form["phone"]!.GetValue<string>());
        Assert.Equal("Công an Phường Nghĩa Đô", v.Form["to"]!.GetValue<string>());
        Assert.Equal("hop-dong-thue-muon", v.Form["proofDocuments"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Temporary_residence_at_most_two_years_and_at_least_thirty_days()
    {
        var (_, tooLong) = ServiceForms.ValidateRegistration(Services.TemporaryResidence, Temporary() with { ToDate = "2028-11-27" }, Person(), Places, Today);
        Assert.Equal("Thời hạn tạm trú tối đa là 02 năm.", tooLong["toDate"].Vi);
        var (_, tooShort) = ServiceForms.ValidateRegistration(Services.TemporaryResidence, Temporary() with { ToDate = "2026-12-01" }, Person(), Places, Today);
        Assert.True(tooShort.ContainsKey("toDate"));
        var (_, noProof) = ServiceForms.ValidateRegistration(Services.TemporaryResidence, Temporary() with { ProofDocument = "x" }, Person(), Places, Today);
        Assert.True(noProof.ContainsKey("proofDocument"));
    }

    [Fact]
    public void Members_are_checked_and_a_minor_needs_the_guardians_consent()
    {
        var child = new HouseholdMemberForm { FullName = "Nguyễn Minh Khôi", DateOfBirth = "2015-06-01", Sex = "Nam", IdNumber = "001215000123", Relationship = "chau" };
        var (_, errors) = ServiceForms.ValidateRegistration(Services.TemporaryResidence, Temporary() with { Members = [child] }, Person(), Places, Today);
        Assert.Equal(["guardianConsent", "guardianIdNumber", "guardianName"], errors.Keys.Order());

        var wrongId = child with { IdNumber = "001085000123" }; // 0 = 1900s male, born 2015
        var (_, idErrors) = ServiceForms.ValidateRegistration(Services.TemporaryResidence,
            Temporary() with { Members = [wrongId], GuardianName = "Nguyễn Văn An", GuardianIdNumber = "001085012345", GuardianConsent = true }, Person(), Places, Today);
        Assert.Equal("Số định danh không khớp với năm sinh.", Assert.Single(idErrors).Value.Vi);
        Assert.Equal("members[0].idNumber", idErrors.Keys.Single());

        var (ok, none) = ServiceForms.ValidateRegistration(Services.TemporaryResidence,
            Temporary() with { Members = [child], GuardianName = "Nguyễn Văn An", GuardianIdNumber = "001085012345", GuardianConsent = true }, Person(), Places, Today);
        Assert.Empty(none);
        Assert.Single(ok!.Form["members"]!.AsArray());
    }

    [Fact]
    public void Permanent_residence_needs_the_condition_and_matching_proofs()
    {
        var form = Temporary() with { FromDate = null, ToDate = null, ProofDocument = null, Condition = "quan-he", ProofDocuments = ["giay-chung-nhan"] };
        var (_, errors) = ServiceForms.ValidateRegistration(Services.PermanentResidence, form, Person(), Places, Today);
        Assert.Equal(["ownerConsent", "proofDocuments"], errors.Keys.Order());
        var (v, none) = ServiceForms.ValidateRegistration(Services.PermanentResidence,
            form with { ProofDocuments = ["giay-chung-nhan", "giay-to-quan-he", "dong-y-chu-ho"], OwnerConsent = true }, Person(), Places, Today);
        Assert.Empty(none);
        Assert.Equal("dang-ky-thuong-tru", v!.Procedure);
        var (_, missing) = ServiceForms.ValidateRegistration(Services.PermanentResidence, form with { Condition = null }, Person(), Places, Today);
        Assert.True(missing.ContainsKey("condition"));
    }

    [Fact]
    public void Old_id_confirmation_is_refused_when_the_chip_holds_the_number()
    {
        var (none, errors) = ServiceForms.ValidateOldIdConfirmation(new OldIdConfirmationForm { Phone = "0912345678" }, Person());
        Assert.Null(none);
        Assert.Contains("Chip", errors["form"].Vi);
        var (v, ok) = ServiceForms.ValidateOldIdConfirmation(new OldIdConfirmationForm { Phone = "0912345678", OldIdNumber = "012345678" }, Person(oldId: null));
        Assert.Empty(ok);
        Assert.Equal("xac-nhan-cmnd", v!.Procedure);
        var (_, bad) = ServiceForms.ValidateOldIdConfirmation(new OldIdConfirmationForm { Phone = "1", OldIdNumber = "12" }, Person(oldId: null));
        Assert.Equal(["oldIdNumber", "phone"], bad.Keys.Order());
    }

    [Fact]
    public void Vneid_level_1_needs_a_phone_or_email_and_level_2_goes_to_staff()
    {
        Assert.True(ServiceForms.ValidateVneid(new VneidForm { Level = 2, Phone = "0912345678" }, Person()).Errors.ContainsKey("level"));
        Assert.True(ServiceForms.ValidateVneid(new VneidForm { Level = 1 }, Person()).Errors.ContainsKey("phone"));
        var (v, errors) = ServiceForms.ValidateVneid(new VneidForm { Level = 1, Email = "an@example.com" }, Person());
        Assert.Empty(errors);
        // The face image travels only in memory to the relay (Sync/FaceAttachments): never in the stored form.
        Assert.False(v!.Form.ContainsKey("faceImage"));
        Assert.Equal(ServiceForms.FaceImageNoteVi, v.Form["faceImageNote"]!.GetValue<string>());
    }

    [Fact]
    public void A_guest_without_a_card_and_a_late_arrival()
    {
        var form = new ResidenceNotificationForm
        {
            AddressLine = "Số 1", ProvinceCode = 1, WardCode = 160, FromDate = "2026-11-26", ToDate = "2026-11-28", Reason = "Thăm",
            ArrivalTime = "23:30", Guest = new GuestForm { FullName = "John Smith", DocumentType = "passport", DocumentNumber = "X1234567" },
        };
        var (v, errors) = ServiceForms.ValidateResidenceNotification(form, Person(), Places, Today);
        Assert.Empty(errors);
        Assert.Equal(new DateTime(2026, 11, 27, 8, 0, 0), v!.Deadline);
        Assert.Equal("John Smith", v.Form["person"]!["fullName"]!.GetValue<string>());
        Assert.Equal("Nguyễn Văn An", v.Form["notifier"]!["fullName"]!.GetValue<string>());

        var (_, bad) = ServiceForms.ValidateResidenceNotification(form with
        {
            ArrivalTime = "25:00", Guest = new GuestForm { FullName = "", DocumentType = "id", DocumentNumber = "12345" },
        }, Person(), Places, Today);
        Assert.Equal(["arrivalTime", "guest.documentNumber", "guest.fullName"], bad.Keys.Order());
        Assert.Equal("Số định danh cá nhân phải gồm đúng 12 chữ số.", bad["guest.documentNumber"].Vi);
    }

    [Theory]
    [InlineData(" lt-20261126-000001 ", "LT-20261126-000001")]
    [InlineData("https://kiosk/tra-cuu?code=TT-20261126-000002", "TT-20261126-000002")]
    [InlineData("LT-2026-1", null)]
    public void Dossier_codes(string input, string? expected) => Assert.Equal(expected, DossierLookup.NormalizeCode(input));

    [Fact]
    public void Status_words_for_every_code()
    {
        for (var i = 1; i <= 10; i++) Assert.DoesNotContain("chưa xác định", Kiosk.Host.Store.DossierStatuses.Describe(i).Vi);
        Assert.Equal("Đang xử lý.", Kiosk.Host.Store.DossierStatuses.Describe(4).Vi);
    }
}
