using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Firmware.Tests;

/// <summary>
/// firmware/compile-check proves the sources use only nano mscorlib's API; csc still accepts user generics and
/// instantiations of Action`1/Func`2, which nanoFramework 1.17 cannot run. This reads the compiled metadata for them.
/// </summary>
public class NanoFrameworkCompileCheckTests
{
    private const byte ElementTypeVar = 0x13;
    private const byte ElementTypeGenericInst = 0x15;
    private const byte ElementTypeMVar = 0x1E;

    public static List<string> FindViolations(string assemblyPath)
    {
        var violations = new List<string>();
        using FileStream stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        foreach (AssemblyReferenceHandle handle in md.AssemblyReferences)
        {
            string name = md.GetString(md.GetAssemblyReference(handle).Name);
            if (name != "mscorlib") violations.Add("references assembly " + name);
        }
        int genericParams = md.GetTableRowCount(TableIndex.GenericParam);
        if (genericParams > 0) violations.Add($"{genericParams} generic parameter(s) declared");
        int methodSpecs = md.GetTableRowCount(TableIndex.MethodSpec);
        if (methodSpecs > 0) violations.Add($"{methodSpecs} generic method instantiation(s)");
        int typeSpecs = md.GetTableRowCount(TableIndex.TypeSpec);
        for (int row = 1; row <= typeSpecs; row++)
        {
            TypeSpecification spec = md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
            byte[] signature = md.GetBlobBytes(spec.Signature);
            // Arrays such as string[] are TypeSpecs too and fine; generic instances and type variables are not.
            if (signature.Length > 0 && signature[0] == ElementTypeGenericInst)
                violations.Add($"TypeSpec {row} is a generic instantiation");
            else if (Array.IndexOf(signature, ElementTypeVar) >= 0 || Array.IndexOf(signature, ElementTypeMVar) >= 0)
                violations.Add($"TypeSpec {row} uses a generic type variable");
        }
        return violations;
    }

    private static string CompileCheckOutput()
    {
        string configuration = typeof(NanoFrameworkCompileCheckTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Debug";
        string path = Path.Combine(MqttContractTests.RepoRoot(), "firmware", "compile-check", "bin", configuration, "netstandard2.0", "Kiosk.Firmware.CompileCheck.dll");
        Assert.True(File.Exists(path), "compile-check output missing (it is built as a ProjectReference of this project): " + path);
        return path;
    }

    [Fact]
    public void FirmwareCompiledAgainstNanoMscorlibUsesNoGenericsAndNoOtherAssembly()
    {
        List<string> violations = FindViolations(CompileCheckOutput());
        Assert.True(violations.Count == 0, string.Join("; ", violations));
    }

    [Fact]
    public void CompileCheckOutputReferencesNanoMscorlib()
    {
        using FileStream stream = File.OpenRead(CompileCheckOutput());
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        AssemblyReference mscorlib = md.GetAssemblyReference(md.AssemblyReferences.Single());
        Assert.Equal("mscorlib", md.GetString(mscorlib.Name));
        Assert.Equal(new Version(1, 17, 11, 0), mscorlib.Version);
    }

    [Fact]
    public void CheckerCatchesGenericsInAnAssemblyThatHasThem()
    {
        // This test assembly uses List<T>, lambdas over Func<T> and records: the checker must object.
        List<string> violations = FindViolations(typeof(NanoFrameworkCompileCheckTests).Assembly.Location);
        Assert.Contains(violations, v => v.Contains("generic instantiation"));
        Assert.Contains(violations, v => v.StartsWith("references assembly"));
    }
}
