//! The demo organisation's shape: teams with the skills of their craft, offices with their time
//! zones and languages, and names from the places those offices are in.

#[derive(Debug, Clone, Copy)]
pub struct Team {
    pub name: &'static str,
    pub weight: u32,
    /// [typical title, lead title]
    pub titles: [&'static str; 2],
    /// Skills of the team's craft, by name or alias in the seed taxonomy.
    pub skills: &'static [&'static str],
    /// Whether some of the team work shifts (nights, weekends).
    pub shifts: bool,
}

pub const TEAMS: &[Team] = &[
    Team { name: "People & Learning", weight: 3, titles: ["People Partner", "Head of People"], skills: &["Workday", "Onboarding", "Interviewing", "Giving feedback", "Microsoft Excel", "Public speaking", "GDPR"], shifts: false },
    Team { name: "Finance", weight: 8, titles: ["Financial Analyst", "Finance Manager"], skills: &["Microsoft Excel", "Pivot tables", "Excel formulas", "VLOOKUP", "Financial modeling", "Budgeting", "SAP software", "Microsoft Power BI", "Power Query", "Oracle Hyperion"], shifts: false },
    Team { name: "Sales", weight: 12, titles: ["Account Executive", "Sales Director"], skills: &["Salesforce", "Salesforce reports", "Negotiation", "Microsoft PowerPoint", "HubSpot", "Public speaking", "Microsoft Excel"], shifts: false },
    Team { name: "Marketing", weight: 7, titles: ["Marketing Specialist", "Marketing Lead"], skills: &["Google Analytics", "HubSpot", "Copywriting", "Adobe Photoshop", "Adobe Illustrator", "Figma", "Web analytics", "Slide design"], shifts: false },
    Team { name: "Customer Support", weight: 10, titles: ["Support Specialist", "Support Team Lead"], skills: &["Customer support", "Zendesk", "Salesforce", "Technical writing", "Microsoft Excel", "Atlassian JIRA"], shifts: true },
    Team { name: "Platform Engineering", weight: 8, titles: ["Software Engineer", "Engineering Manager"], skills: &["Kubernetes", "Docker", "Terraform", "Amazon Web Services AWS software", "Linux", "Bash", "Git", "Go", "Python", "Helm charts", "Microsoft Azure software"], shifts: true },
    Team { name: "Product Engineering", weight: 10, titles: ["Software Engineer", "Engineering Manager"], skills: &["JavaScript", "TypeScript", "React", "Node.js", "Git", "GitHub", "PostgreSQL", "SQL joins", "Python", "Regular expressions", "Accessibility"], shifts: false },
    Team { name: "Data & Analytics", weight: 6, titles: ["Data Analyst", "Analytics Lead"], skills: &["SQL", "SQL joins", "Window functions", "Query optimization", "Python", "pandas", "Jupyter", "Tableau", "Microsoft Power BI", "DAX", "Statistics", "R", "Data visualization", "Machine learning"], shifts: false },
    Team { name: "Design", weight: 3, titles: ["Product Designer", "Design Lead"], skills: &["Figma", "UX research", "Accessibility", "Adobe Illustrator", "Slide design", "Adobe Photoshop"], shifts: false },
    Team { name: "Product Management", weight: 4, titles: ["Product Manager", "Head of Product"], skills: &["Agile methodology", "Stakeholder management", "Atlassian JIRA", "Atlassian Confluence", "SQL", "Microsoft PowerPoint", "UX research", "Project management"], shifts: false },
    Team { name: "Operations", weight: 9, titles: ["Operations Coordinator", "Operations Manager"], skills: &["Microsoft Excel", "Pivot tables", "SAP software", "Project management", "Microsoft Access", "Microsoft Project", "Microsoft Outlook", "Excel macros"], shifts: true },
    Team { name: "Legal & Compliance", weight: 3, titles: ["Legal Counsel", "General Counsel"], skills: &["GDPR", "Negotiation", "Microsoft Word", "Track changes", "Technical writing"], shifts: false },
    Team { name: "IT Services", weight: 5, titles: ["IT Specialist", "IT Manager"], skills: &["Microsoft PowerShell", "Microsoft Windows", "Microsoft Teams", "Microsoft SharePoint", "Microsoft Active Directory", "Linux", "ServiceNow"], shifts: true },
    Team { name: "Procurement", weight: 3, titles: ["Buyer", "Procurement Lead"], skills: &["SAP software", "Negotiation", "Microsoft Excel", "VLOOKUP", "Budgeting"], shifts: false },
];

#[derive(Debug, Clone, Copy)]
pub struct Office {
    pub city: &'static str,
    pub timezone: &'static str,
    pub language: &'static str,
    pub weight: u32,
}

pub const OFFICES: &[Office] = &[
    Office { city: "Lisbon", timezone: "Europe/Lisbon", language: "pt", weight: 14 },
    Office { city: "London", timezone: "Europe/London", language: "en", weight: 14 },
    Office { city: "Berlin", timezone: "Europe/Berlin", language: "de", weight: 9 },
    Office { city: "Warsaw", timezone: "Europe/Warsaw", language: "pl", weight: 6 },
    Office { city: "New York", timezone: "America/New_York", language: "en", weight: 12 },
    Office { city: "Toronto", timezone: "America/Toronto", language: "en", weight: 5 },
    Office { city: "São Paulo", timezone: "America/Sao_Paulo", language: "pt", weight: 8 },
    Office { city: "Mexico City", timezone: "America/Mexico_City", language: "es", weight: 5 },
    Office { city: "Nairobi", timezone: "Africa/Nairobi", language: "en", weight: 4 },
    Office { city: "Bengaluru", timezone: "Asia/Kolkata", language: "en", weight: 10 },
    Office { city: "Singapore", timezone: "Asia/Singapore", language: "en", weight: 6 },
    Office { city: "Tokyo", timezone: "Asia/Tokyo", language: "ja", weight: 3 },
    Office { city: "Sydney", timezone: "Australia/Sydney", language: "en", weight: 4 },
];

pub const FIRST_NAMES: &[&str] = &[
    "Ana", "João", "Inês", "Tiago", "Beatriz", "Rafael", "Mariana", "Diogo", "Olivia", "Jack",
    "Amelia", "Harry", "Isla", "George", "Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram",
    "Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas", "Zofia", "Jakub", "Maja", "Piotr",
    "Emma", "Liam", "Sofia", "Noah", "Ava", "Ethan", "Chloe", "Lucas", "Camila", "Mateo",
    "Valentina", "Santiago", "Lucía", "Diego", "Wanjiru", "Kamau", "Achieng", "Otieno", "Amani", "Zawadi",
    "Wei", "Mei", "Jun", "Hana", "Yuki", "Haruto", "Sakura", "Ren", "Aiko", "Kenji",
    "Chen", "Li", "Nur", "Aisyah", "Daniel", "Grace", "Ella", "Oscar", "Ruby", "Leo",
    "Fatima", "Omar", "Yusuf", "Layla", "Samir", "Zara", "Noor", "Tomás", "Élodie", "Björn",
];

pub const LAST_NAMES: &[&str] = &[
    "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Smith", "Jones",
    "Taylor", "Brown", "Williams", "Wilson", "Patel", "Sharma", "Iyer", "Reddy", "Nair", "Gupta",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Nowak", "Kowalski", "Wiśniewski", "Zieliński",
    "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Hernández", "González", "Ramírez", "Torres",
    "Mwangi", "Otieno", "Kariuki", "Njoroge", "Wambui", "Tanaka", "Suzuki", "Sato", "Watanabe", "Takahashi",
    "Tan", "Lim", "Ng", "Wong", "Chen", "Nguyen", "O'Brien", "Murphy", "Kelly", "Okafor",
    "Haddad", "Khan", "Rahman", "Ali", "Andersson", "Lindqvist", "Dubois", "Moreau", "Rossi", "Bianchi",
];
