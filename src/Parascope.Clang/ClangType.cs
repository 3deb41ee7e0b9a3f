using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>A type as libclang reports it; typedef sugar is kept until <see cref="Canonical"/> strips it.</summary>
public readonly struct ClangType
{
    internal readonly CXType Raw;
    internal ClangType(CXType raw) => Raw = raw;

    public CXTypeKind Kind => Raw.kind;
    public bool IsValid => Raw.kind != CXTypeKind.CXType_Invalid;
    public string Spelling => ClangString.Take(clang.clang_getTypeSpelling(Raw));
    public ClangType Canonical => new(clang.clang_getCanonicalType(Raw));
    public ClangType Pointee => new(clang.clang_getPointeeType(Raw));
    public ClangType ArrayElement => new(clang.clang_getArrayElementType(Raw));
    /// <summary>The type an elaborated (`struct x`, qualified) type names.</summary>
    public ClangType Named => new(clang.clang_Type_getNamedType(Raw));
    public ClangType Modified => new(clang.clang_Type_getModifiedType(Raw));
    /// <summary>The T of `_Atomic(T)`; invalid for other types.</summary>
    public ClangType AtomicValue => new(clang.clang_Type_getValueType(Raw));
    /// <summary>
    /// clang's opaque QualType pointer: equal for the same type (same sugar, same qualifiers) within one
    /// translation unit, so a per-unit cache can key on it without asking libclang for a spelling.
    /// </summary>
    public unsafe nint Identity => (nint)Raw.data0;
    public Cursor Declaration => new(clang.clang_getTypeDeclaration(Raw));
    public bool IsConst => clang.clang_isConstQualifiedType(Raw) != 0;
    public long SizeOf => clang.clang_Type_getSizeOf(Raw);

    /// <summary>The typedef's name for a typedef type, otherwise empty.</summary>
    public string TypedefName => Raw.kind == CXTypeKind.CXType_Typedef ? ClangString.Take(clang.clang_getTypedefName(Raw)) : string.Empty;

    /// <summary>One step of sugar removed: elaborated → named, attributed → modified, typedef → underlying.</summary>
    public ClangType Desugared => Raw.kind switch
    {
        CXTypeKind.CXType_Elaborated => Named,
        CXTypeKind.CXType_Attributed => Modified,
        CXTypeKind.CXType_Typedef => Declaration.TypedefUnderlyingType,
        _ => this,
    };
}
