using System.Text.Json.Nodes;
using Kiosk.Host.Card;
using Kiosk.Host.Places;

namespace Kiosk.Host.Filing;

/// <summary>
/// One of the five services (domain.md §1): its procedure id (also the portal's dossier-code key) and code prefix. Its
/// title, processing time and fee come from the resource files (keys <c>svc.{procedure}</c>, <c>.time</c>, <c>.fee</c>).
/// </summary>
public sealed record ServiceInfo(string Procedure, string CodePrefix)
{
    public string TitleVi => Messages.Text("vi", "svc." + Procedure);
    public string TitleEn => Messages.Text("en", "svc." + Procedure);
    public string TimeVi => Messages.Text("vi", "svc." + Procedure + ".time");
    public string TimeEn => Messages.Text("en", "svc." + Procedure + ".time");
    public string FeeVi => Messages.Text("vi", "svc." + Procedure + ".fee");
    public string FeeEn => Messages.Text("en", "svc." + Procedure + ".fee");
}

/// <summary>A validated filing ready for the store: the procedure, the receipt title and the form as the portal receives it.</summary>
public sealed record ValidFiling(string Procedure, string TitleVi, JsonObject Form, DateTime? Deadline = null);

public static class Services
{
    public const string ResidenceNotification = "thong-bao-luu-tru";
    public const string TemporaryResidence = "dang-ky-tam-tru";
    public const string PermanentResidence = "dang-ky-thuong-tru";
    public const string OldIdConfirmation = "xac-nhan-cmnd";
    public const string VneidHelp = "ho-tro-vneid";

    public static readonly IReadOnlyList<ServiceInfo> All =
    [
        new(ResidenceNotification, "LT"),
        new(TemporaryResidence, "TT"),
        new(PermanentResidence, "TH"),
        new(OldIdConfirmation, "XN"),
        new(VneidHelp, "HS"),
    ];

    public static ServiceInfo? Find(string? procedure) => All.FirstOrDefault(s => s.Procedure == procedure);

    public static ServiceInfo Get(string procedure) => Find(procedure) ?? throw new ArgumentException("unknown service", nameof(procedure));
}

/// <summary>Documents accepted as proof of lawful residence (Luật Cư trú Art. 28, NĐ 62/2021 Art. 5) and for permanent residence.</summary>
public static class ProofDocuments
{
    // Code → message key of its label in wwwroot/i18n (the page shows the words; the server checks the codes).
    public static readonly IReadOnlyDictionary<string, string> LawfulResidence = new Dictionary<string, string>
    {
        ["giay-chung-nhan"] = "doc.giay-chung-nhan",
        ["giay-phep-xay-dung"] = "doc.giay-phep-xay-dung",
        ["hop-dong-mua-ban"] = "doc.hop-dong-mua-ban",
        ["hop-dong-thue-muon"] = "doc.hop-dong-thue-muon",
        ["xac-nhan-co-quan"] = "doc.xac-nhan-co-quan",
    };

    /// <summary>Permanent residence: proof of lawful residence plus, depending on the condition, these.</summary>
    public static readonly IReadOnlyDictionary<string, string> Permanent = new Dictionary<string, string>(LawfulResidence)
    {
        ["giay-to-quan-he"] = "doc.giay-to-quan-he",
        ["dong-y-chu-ho"] = "doc.dong-y-chu-ho",
        ["xac-nhan-dien-tich"] = "doc.xac-nhan-dien-tich",
    };

    /// <summary>Conditions of Luật Cư trú Art. 20.</summary>
    public static readonly IReadOnlyDictionary<string, string> PermanentConditions = new Dictionary<string, string>
    {
        ["so-huu"] = "cond.so-huu",
        ["quan-he"] = "cond.quan-he",
        ["thue-muon"] = "cond.thue-muon",
    };

    public static readonly IReadOnlyList<string> Relationships =
        ["chu-ho", "vo", "chong", "con", "cha", "me", "ong", "ba", "chau", "anh-chi-em", "khac"];
}

/// <summary>Member of the household changing at the same time (the CT01 table).</summary>
public sealed record HouseholdMemberForm
{
    public string? FullName { get; init; }
    public string? DateOfBirth { get; init; }
    public string? Sex { get; init; }
    public string? IdNumber { get; init; }
    public string? Relationship { get; init; }
}

/// <summary>Form CT01 (TT 66/2023) for temporary or permanent residence registration; the applicant comes from the chip.</summary>
public sealed record ResidenceRegistrationForm
{
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? RelationshipToHead { get; init; }
    public string? HouseholdHeadName { get; init; }
    public string? HouseholdHeadIdNumber { get; init; }
    public string? AddressLine { get; init; }
    public int? ProvinceCode { get; init; }
    public int? WardCode { get; init; }
    /// <summary>Temporary residence: yyyy-MM-dd, up to 2 years.</summary>
    public string? FromDate { get; init; }
    public string? ToDate { get; init; }
    /// <summary>Temporary residence: the one proof document that will be presented.</summary>
    public string? ProofDocument { get; init; }
    /// <summary>Permanent residence: the condition of Luật Cư trú Art. 20.</summary>
    public string? Condition { get; init; }
    /// <summary>Permanent residence: the documents that will be presented.</summary>
    public List<string>? ProofDocuments { get; init; }
    /// <summary>Permanent residence (conditions quan-he, thue-muon): the household head and the owner agree.</summary>
    public bool? OwnerConsent { get; init; }
    public List<HouseholdMemberForm>? Members { get; init; }
    public string? GuardianName { get; init; }
    public string? GuardianIdNumber { get; init; }
    public bool? GuardianConsent { get; init; }
    public string? Note { get; init; }
}

/// <summary>Old ID number confirmation: only when the chip does not hold the old number.</summary>
public sealed record OldIdConfirmationForm
{
    public string? Phone { get; init; }
    public string? Email { get; init; }
    /// <summary>The old 9-digit CMND (or 12-digit) number, if the resident knows it.</summary>
    public string? OldIdNumber { get; init; }
    public string? Note { get; init; }
}

/// <summary>VNeID account help: level 1 (chip data + phone or e-mail + face image); level 2 goes to staff.</summary>
public sealed record VneidForm
{
    public int? Level { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
}

public static class ServiceForms
{
    public const int MaxMembers = 10;
    public const string FaceImageNoteKey = "vneid.faceImageNote";
    public static string FaceImageNoteVi => Messages.Text("vi", FaceImageNoteKey);
    public static string FaceImageNoteEn => Messages.Text("en", FaceImageNoteKey);

    public static JsonObject Person(CardIdentity p) => new()
    {
        ["fullName"] = p.FullName,
        ["idNumber"] = p.IdNumber,
        ["dateOfBirth"] = p.DateOfBirth?.ToString("yyyy-MM-dd"),
        ["sex"] = p.Sex,
        ["nationality"] = p.Nationality,
    };

    public static (ValidFiling? Value, IReadOnlyDictionary<string, FieldError> Errors) ValidateResidenceNotification(
        ResidenceNotificationForm form, CardIdentity person, AdminUnits places, DateOnly today)
    {
        var (v, errors) = Filing.ResidenceNotification.Validate(form, places, today);
        if (v is null) return (null, errors);
        var staying = v.Guest is { } g
            ? new JsonObject
            {
                ["fullName"] = g.FullName, ["documentType"] = g.DocumentType, ["documentNumber"] = g.DocumentNumber,
                ["dateOfBirth"] = g.DateOfBirth?.ToString("yyyy-MM-dd"), ["nationality"] = g.Nationality, ["withoutCard"] = true,
            }
            : Person(person);
        var json = new JsonObject
        {
            ["person"] = staying,
            ["notifier"] = v.Guest is null ? null : Person(person),
            ["stayAddress"] = Address(v.AddressLine, v.Province, v.Ward),
            ["fromDate"] = v.FromDate.ToString("yyyy-MM-dd"),
            ["toDate"] = v.ToDate.ToString("yyyy-MM-dd"),
            ["arrivalTime"] = v.Arrival?.ToString("HH:mm"),
            ["reason"] = v.Reason,
        };
        return (new ValidFiling(Services.ResidenceNotification, Services.Get(Services.ResidenceNotification).TitleVi, json,
            NotificationDeadline.For(v.FromDate, v.Arrival)), errors);
    }

    public static (ValidFiling? Value, IReadOnlyDictionary<string, FieldError> Errors) ValidateRegistration(
        string procedure, ResidenceRegistrationForm form, CardIdentity person, AdminUnits places, DateOnly today)
    {
        var temporary = procedure == Services.TemporaryResidence;
        var errors = new Dictionary<string, FieldError>();
        var phone = FormRules.Phone(errors, "phone", form.Phone, required: true);
        var email = FormRules.Email(errors, "email", form.Email, required: false);

        var relationship = form.RelationshipToHead?.Trim();
        string? headName = null, headId = null;
        if (relationship is null || !ProofDocuments.Relationships.Contains(relationship))
            errors["relationshipToHead"] = new("err.relationship.required");
        else if (relationship != "chu-ho")
        {
            headName = FormRules.Text(errors, "householdHeadName", form.HouseholdHeadName, 100,
                new("err.householdHeadName.required"));
            headId = FormRules.IdNumber(errors, "householdHeadIdNumber", form.HouseholdHeadIdNumber, null, null);
        }

        var address = FormRules.Text(errors, "addressLine", form.AddressLine, 200,
            new("err.address.required"));
        var (province, ward) = FormRules.Place(errors, places, form.ProvinceCode, form.WardCode);

        DateOnly? from = null, to = null;
        JsonArray documents = [];
        string? condition = null;
        if (temporary)
        {
            from = FormRules.ParseDate(form.FromDate);
            to = FormRules.ParseDate(form.ToDate);
            if (from is null)
                errors["fromDate"] = new("err.temp.fromDate.required");
            else if (from < today.AddDays(-30) || from > today.AddDays(60))
                errors["fromDate"] = new("err.temp.fromDate.range");
            if (to is null)
                errors["toDate"] = new("err.temp.toDate.required");
            else if (from is not null && to > from.Value.AddYears(2))
                errors["toDate"] = new("err.temp.toDate.max2Years");
            else if (from is not null && to < from.Value.AddDays(30))
                errors["toDate"] = new("err.temp.toDate.min30Days");

            var doc = form.ProofDocument?.Trim();
            if (doc is null || !ProofDocuments.LawfulResidence.ContainsKey(doc))
                errors["proofDocument"] = new("err.proofDocument.required");
            else documents.Add(doc);
        }
        else
        {
            condition = form.Condition?.Trim();
            if (condition is null || !ProofDocuments.PermanentConditions.ContainsKey(condition))
            {
                errors["condition"] = new("err.condition.required");
                condition = null;
            }
            var docs = (form.ProofDocuments ?? []).Select(d => d.Trim()).Distinct().ToList();
            if (docs.Count == 0 || docs.Any(d => !ProofDocuments.Permanent.ContainsKey(d)))
                errors["proofDocuments"] = new("err.proofDocuments.required");
            else if (!docs.Any(ProofDocuments.LawfulResidence.ContainsKey))
                errors["proofDocuments"] = new("err.proofDocuments.lawfulResidence");
            else if (condition == "quan-he" && !docs.Contains("giay-to-quan-he"))
                errors["proofDocuments"] = new("err.proofDocuments.relationship");
            else if (condition == "thue-muon" && !docs.Contains("xac-nhan-dien-tich"))
                errors["proofDocuments"] = new("err.proofDocuments.floorArea");
            foreach (var d in docs) documents.Add(d);
            if (condition is "quan-he" or "thue-muon" && form.OwnerConsent != true)
                errors["ownerConsent"] = new("err.ownerConsent.required");
        }

        var members = new JsonArray();
        var anyMinor = person.DateOfBirth is { } own && FormRules.AgeOn(own, today) < 18;
        var list = form.Members ?? [];
        if (list.Count > MaxMembers)
            errors["members"] = new("err.members.tooMany", MaxMembers);
        for (var i = 0; i < Math.Min(list.Count, MaxMembers); i++)
        {
            var m = list[i];
            var prefix = $"members[{i}].";
            var name = FormRules.Text(errors, prefix + "fullName", m.FullName, 100, new("err.fullName.required"));
            var dob = FormRules.BirthDate(errors, prefix + "dateOfBirth", m.DateOfBirth, today);
            var sex = FormRules.Sex(errors, prefix + "sex", m.Sex);
            var id = FormRules.IdNumber(errors, prefix + "idNumber", m.IdNumber, dob, sex);
            var rel = m.Relationship?.Trim();
            if (rel is null || !ProofDocuments.Relationships.Contains(rel))
                errors[prefix + "relationship"] = new("err.relationship.required");
            if (dob is { } d && FormRules.AgeOn(d, today) < 18) anyMinor = true;
            members.Add(new JsonObject
            {
                ["fullName"] = name, ["dateOfBirth"] = dob?.ToString("yyyy-MM-dd"), ["sex"] = m.Sex?.Trim(), ["idNumber"] = id, ["relationship"] = rel,
            });
        }

        JsonObject? guardian = null;
        if (anyMinor)
        {
            var gName = FormRules.Text(errors, "guardianName", form.GuardianName, 100,
                new("err.guardianName.required"));
            var gId = FormRules.IdNumber(errors, "guardianIdNumber", form.GuardianIdNumber, null, null);
            if (form.GuardianConsent != true)
                errors["guardianConsent"] = new("err.guardianConsent.required");
            guardian = new JsonObject { ["fullName"] = gName, ["idNumber"] = gId, ["consent"] = form.GuardianConsent == true };
        }

        var note = FormRules.Text(errors, "note", form.Note, 500, null, required: false);
        if (errors.Count > 0) return (null, errors);

        var info = Services.Get(procedure);
        var json = new JsonObject
        {
            ["form"] = "CT01",
            ["to"] = "Công an " + ward!.Name,
            ["person"] = Person(person),
            ["phone"] = phone,
            ["email"] = email,
            ["relationshipToHead"] = relationship,
            ["householdHead"] = relationship == "chu-ho" ? null : new JsonObject { ["fullName"] = headName, ["idNumber"] = headId },
            ["request"] = $"{info.TitleVi} tại {address}, {ward.Name}, {province!.Name}" + (note is null ? "" : ". " + note),
            ["address"] = Address(address!, province, ward),
            ["fromDate"] = from?.ToString("yyyy-MM-dd"),
            ["toDate"] = to?.ToString("yyyy-MM-dd"),
            ["condition"] = condition,
            ["proofDocuments"] = documents,
            ["ownerConsent"] = temporary ? null : form.OwnerConsent == true,
            ["members"] = members,
            ["guardian"] = guardian,
        };
        return (new ValidFiling(procedure, info.TitleVi, json), errors);
    }

    public static (ValidFiling? Value, IReadOnlyDictionary<string, FieldError> Errors) ValidateOldIdConfirmation(
        OldIdConfirmationForm form, CardIdentity person)
    {
        var errors = new Dictionary<string, FieldError>();
        if (!string.IsNullOrEmpty(person.OldIdNumber))
        {
            errors["form"] = new("err.cmnd.onChip");
            return (null, errors);
        }
        var phone = FormRules.Phone(errors, "phone", form.Phone, required: true);
        var email = FormRules.Email(errors, "email", form.Email, required: false);
        var old = new string((form.OldIdNumber ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (old.Length > 0 && !((old.Length == 9 || old.Length == 12) && old.All(char.IsAsciiDigit)))
            errors["oldIdNumber"] = new("err.oldIdNumber.invalid");
        var note = FormRules.Text(errors, "note", form.Note, 500, null, required: false);
        if (errors.Count > 0) return (null, errors);
        var json = new JsonObject
        {
            ["person"] = Person(person),
            ["phone"] = phone,
            ["email"] = email,
            ["oldIdNumberDeclared"] = old.Length == 0 ? null : old,
            ["chipHasOldIdNumber"] = false,
            ["note"] = note,
        };
        return (new ValidFiling(Services.OldIdConfirmation, Services.Get(Services.OldIdConfirmation).TitleVi, json), errors);
    }

    public static (ValidFiling? Value, IReadOnlyDictionary<string, FieldError> Errors) ValidateVneid(VneidForm form, CardIdentity person)
    {
        var errors = new Dictionary<string, FieldError>();
        if (form.Level != 1)
        {
            errors["level"] = new("err.vneid.level2");
            return (null, errors);
        }
        var phone = FormRules.Phone(errors, "phone", form.Phone, required: false);
        var email = FormRules.Email(errors, "email", form.Email, required: false);
        if (string.IsNullOrWhiteSpace(form.Phone) && string.IsNullOrWhiteSpace(form.Email))
            errors["phone"] = new("err.vneid.contact");
        if (errors.Count > 0) return (null, errors);
        var json = new JsonObject
        {
            ["level"] = 1,
            ["person"] = Person(person),
            ["phone"] = phone,
            ["email"] = email,
            ["faceImageNote"] = FaceImageNoteVi,
        };
        return (new ValidFiling(Services.VneidHelp, Services.Get(Services.VneidHelp).TitleVi, json), errors);
    }

    private static JsonObject Address(string line, Province province, Ward ward) => new()
    {
        ["addressLine"] = line, ["wardCode"] = ward.Code, ["ward"] = ward.Name, ["provinceCode"] = province.Code, ["province"] = province.Name,
    };
}
