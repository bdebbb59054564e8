namespace Containers.Build.Native;

/// <summary>What an ELF file is for (its e_type): only executables and shared objects are ever loaded.</summary>
public enum ElfType
{
    /// <summary>Relocatable objects, core dumps and anything else the loader never maps.</summary>
    Other,

    /// <summary>ET_EXEC: a program linked at a fixed address.</summary>
    Executable,

    /// <summary>ET_DYN: a shared library, or a position-independent program (most programs today, <c>/bin/ls</c> too).</summary>
    SharedObject,
}
