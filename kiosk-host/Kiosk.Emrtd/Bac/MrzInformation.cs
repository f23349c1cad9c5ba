namespace Kiosk.Emrtd.Bac;

/// <summary>
/// The MRZ information BAC and PACE-with-MRZ derive their keys from (Part 11 §9.7.2): document number, date of birth
/// and date of expiry, each followed by its check digit (Part 3 §4.9).
/// </summary>
public static class MrzInformation
{
    /// <summary>
    /// Numbers shorter than 9 characters are filled with '&lt;'; longer ones are used in full (Part 11 D.2 example 2).
    /// Dates are YYMMDD.
    /// </summary>
    public static string Build(string documentNumber, string dateOfBirth, string dateOfExpiry)
    {
        string number = documentNumber.Length < 9 ? documentNumber.PadRight(9, '<') : documentNumber;
        if (dateOfBirth.Length != 6 || dateOfExpiry.Length != 6)
            throw new MalformedDataException("[MrzInformation] dates must be YYMMDD");
        return number + CheckDigit(number) + dateOfBirth + CheckDigit(dateOfBirth) + dateOfExpiry + CheckDigit(dateOfExpiry);
    }

    /// <summary>0-9 → 0-9, A-Z → 10-35, '&lt;' → 0; weights 7, 3, 1 repeating; sum mod 10.</summary>
    public static char CheckDigit(string field)
    {
        int[] weights = [7, 3, 1];
        int sum = 0;
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            int value = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'Z' => c - 'A' + 10,
                '<' => 0,
                _ => throw new MalformedDataException($"[MrzInformation] character at position {i} is not allowed in an MRZ"),
            };
            sum += value * weights[i % 3];
        }
        return (char)('0' + sum % 10);
    }
}
