"""Programmatic names of Azure public-cloud regions accepted for `location` keys.

Source: Microsoft's regions list (reliability docs, "Programmatic name"), plus the
ARM-only names swedensouth and jioindia*.

A typo in a region would otherwise surface only at `pulumi up`, minutes into a deployment;
here it is caught offline with a did-you-mean.
"""

AZURE_REGIONS: frozenset[str] = frozenset(
    {
        "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast",
        "austriaeast", "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral",
        "canadaeast", "centralindia", "centralus", "chilecentral", "denmarkeast", "eastasia",
        "eastus", "eastus2", "francecentral", "francesouth", "germanynorth",
        "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth", "japaneast",
        "japanwest", "jioindiacentral", "jioindiawest", "koreacentral", "koreasouth",
        "malaysiawest", "mexicocentral", "newzealandnorth", "northcentralus", "northeurope",
        "norwayeast", "norwaywest", "polandcentral", "qatarcentral", "southafricanorth",
        "southafricawest", "southcentralus", "southeastasia", "southindia", "spaincentral",
        "swedencentral", "swedensouth", "switzerlandnorth", "switzerlandwest", "uaecentral",
        "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westindia", "westus",
        "westus2", "westus3",
    }
)  # fmt: skip
