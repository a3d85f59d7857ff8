"""The demo organisation: Northwind Labs, a deterministic and realistic directory with accounts.

`seed_demo_organisation()` builds it for `trellis demo`; every later capability extends it here so
each page of the demo shows believable data. The same seed always gives the same rows: all
randomness comes from one `random.Random(seed)` and every date is relative to REFERENCE_DATE,
never to today.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from trellis.accounts.models import Role, User
from trellis.people.models import (
    Department,
    Language,
    Location,
    Person,
    Skill,
    SkillAlias,
    normalise_name,
)
from trellis.people.services import rebuild_reporting_paths

ORGANISATION_NAME = "Northwind Labs"
EMAIL_DOMAIN = "northwind.example"
DEMO_PASSWORD = "trellis-demo-2026"  # noqa: S105 (printed by `trellis demo` for anyone to use)
# "Today" inside the demo; tenure and every other date are counted back from here.
REFERENCE_DATE = date(2026, 11, 1)
FOUNDED = date(2014, 9, 1)
DEFAULT_SIZE = 1200
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class DemoCredentials:
    """Sign-in details printed by `trellis demo`; every demo account shares the password."""

    admin_email: str
    program_manager_email: str
    participant_email: str
    password: str = DEMO_PASSWORD


class DemoSeedError(Exception):
    """The database holds a directory that is not the demo; seeding would mix fiction into it."""


# --- Personas: the three accounts the demo prints, stable whatever the seed -----------------------

_PERSONAS = {
    "admin": ("Morgan", "Ellis", "anglo"),
    "program_manager": ("Amara", "Okafor", "nigerian"),
    "participant": ("Daniel", "Kim", "korean"),
}


def _persona_email(persona: str) -> str:
    first, last, _ = _PERSONAS[persona]
    return f"{first.lower()}.{last.lower()}@{EMAIL_DOMAIN}"


DEMO_CREDENTIALS = DemoCredentials(
    admin_email=_persona_email("admin"),
    program_manager_email=_persona_email("program_manager"),
    participant_email=_persona_email("participant"),
)


# --- Taxonomy -------------------------------------------------------------------------------------

SKILLS: dict[str, tuple[str, ...]] = {
    "Engineering": (
        "Python", "Go", "Java", "Kotlin", "Swift", "TypeScript", "JavaScript", "React", "GraphQL",
        "SQL", "PostgreSQL", "Linux", "Docker", "Kubernetes", "Terraform", "AWS", "Google Cloud",
        "CI/CD", "Observability", "Incident management", "Distributed systems", "API design",
        "System design", "Security engineering", "Test automation", "Accessibility",
        "iOS development", "Android development",
    ),
    "Data": (
        "Machine learning", "Deep learning", "Natural language processing", "Statistics",
        "Experimentation", "Data modelling", "Data visualisation", "Apache Spark", "Airflow", "dbt",
        "Looker", "Product analytics",
    ),
    "Product and design": (
        "Product management", "Product discovery", "Roadmapping", "User research",
        "Usability testing", "Figma", "Interaction design", "Visual design", "Design systems",
        "Prototyping", "Content design", "Program management",
    ),
    "Sales and marketing": (
        "Negotiation", "Enterprise sales", "Prospecting", "Solution selling", "Account management",
        "Sales forecasting", "Salesforce", "Customer onboarding", "Customer retention",
        "Customer support", "Go-to-market strategy", "Pricing", "Product marketing",
        "Demand generation", "Content marketing", "SEO", "Brand strategy", "Copywriting",
        "Event management",
    ),
    "Finance and legal": (
        "Financial modelling", "Financial planning & analysis", "Budgeting", "Accounting", "Excel",
        "Procurement", "Contract negotiation", "Commercial law", "Employment law", "Data privacy",
        "Compliance", "Risk management",
    ),
    "People": (
        "Recruiting", "Interviewing", "Employer branding", "Compensation & benefits",
        "Employee relations", "HR information systems", "Workforce planning", "Learning design",
        "Diversity & inclusion",
    ),
    "Leadership": (
        "People management", "Coaching", "Mentoring", "Hiring", "Giving feedback",
        "Conflict management", "Delegation", "Performance management", "Strategic planning",
        "Change management", "Stakeholder management",
    ),
    "Communication": (
        "Public speaking", "Technical writing", "Facilitation", "Storytelling",
        "Cross-cultural communication", "Project management",
    ),
}  # fmt: skip

SKILL_ALIASES: dict[str, str] = {
    "k8s": "Kubernetes",
    "ML": "Machine learning",
    "PM": "Product management",
    "JS": "JavaScript",
    "TS": "TypeScript",
    "Postgres": "PostgreSQL",
    "Golang": "Go",
    "GCP": "Google Cloud",
    "Amazon Web Services": "AWS",
    "NLP": "Natural language processing",
    "A/B testing": "Experimentation",
    "UX research": "User research",
    "DEI": "Diversity & inclusion",
    "HRIS": "HR information systems",
    "FP&A": "Financial planning & analysis",
    "Continuous integration": "CI/CD",
    "SFDC": "Salesforce",
    "Spark": "Apache Spark",
    "Data visualization": "Data visualisation",
    "Data modeling": "Data modelling",
    "Financial modeling": "Financial modelling",
    "GDPR": "Data privacy",
    "GTM": "Go-to-market strategy",
    "Talent acquisition": "Recruiting",
    "Line management": "People management",
    "Search engine optimisation": "SEO",
    "Monitoring": "Observability",
}

# Leaders pick from these on top of their craft; everyone may have a communication skill.
_LEADERSHIP_SKILLS = SKILLS["Leadership"]
_COMMUNICATION_SKILLS = SKILLS["Communication"]


@dataclass(frozen=True)
class _Family:
    """A job family: how its titles read at each level, and the skills its people tend to have."""

    title: str
    manager_title: str
    skills: tuple[str, ...]  # most typical first
    levels: tuple[int, int] = (1, 6)
    junior: str = "Junior"
    lead: str = "Staff"
    senior_manager_title: str = ""
    titles: dict[int, str] = field(default_factory=dict)  # exceptions to the pattern

    def title_at(self, level: int) -> str:
        if level in self.titles:
            return self.titles[level]
        if level <= 1:
            return f"{self.junior} {self.title}"
        if level <= 3:
            return self.title
        if level == 4:
            return f"{self.title} II"
        if level == 5:
            return f"Senior {self.title}"
        return f"{self.lead} {self.title}"

    def clamp(self, level: int) -> int:
        return min(max(level, self.levels[0]), self.levels[1])


_FAMILIES: dict[str, _Family] = {
    # Engineering
    "backend": _Family(
        "Backend Engineer", "Engineering Manager",
        ("Python", "Go", "PostgreSQL", "API design", "Distributed systems", "Java", "SQL",
         "System design", "Docker", "Kotlin", "Observability", "Test automation"),
    ),
    "frontend": _Family(
        "Frontend Engineer", "Engineering Manager",
        ("TypeScript", "React", "JavaScript", "Accessibility", "GraphQL", "Design systems",
         "Test automation", "API design"),
    ),
    "fullstack": _Family(
        "Full-stack Engineer", "Engineering Manager",
        ("TypeScript", "Python", "React", "PostgreSQL", "API design", "JavaScript", "Docker",
         "GraphQL"),
    ),
    "mobile": _Family(
        "Mobile Engineer", "Mobile Engineering Manager",
        ("Swift", "Kotlin", "iOS development", "Android development", "API design",
         "Accessibility", "Test automation", "TypeScript"),
    ),
    "sre": _Family(
        "Site Reliability Engineer", "Reliability Engineering Manager",
        ("Kubernetes", "Terraform", "AWS", "Observability", "Incident management", "Linux", "Go",
         "Google Cloud", "CI/CD", "Docker", "Distributed systems", "Python"),
    ),
    "security": _Family(
        "Security Engineer", "Security Engineering Manager",
        ("Security engineering", "AWS", "Incident management", "Python", "Go", "Kubernetes",
         "Compliance", "Linux", "Risk management"),
        levels=(2, 6),
    ),
    "qa": _Family(
        "QA Engineer", "QA Manager",
        ("Test automation", "TypeScript", "Python", "CI/CD", "Accessibility", "SQL"),
        levels=(1, 5),
    ),
    "tpm": _Family(
        "Technical Program Manager", "Program Management Lead",
        ("Program management", "Stakeholder management", "Roadmapping", "Risk management",
         "Project management", "System design", "Facilitation"),
        levels=(3, 6), lead="Principal",
    ),
    # Data Platform
    "data_engineer": _Family(
        "Data Engineer", "Data Engineering Manager",
        ("SQL", "Python", "Apache Spark", "Airflow", "dbt", "Data modelling", "AWS", "Docker",
         "Google Cloud", "Distributed systems"),
    ),
    "analytics_engineer": _Family(
        "Analytics Engineer", "Analytics Manager",
        ("SQL", "dbt", "Data modelling", "Looker", "Python", "Data visualisation", "Airflow"),
        levels=(2, 6),
    ),
    "ml_engineer": _Family(
        "Machine Learning Engineer", "Machine Learning Manager",
        ("Machine learning", "Python", "Deep learning", "Natural language processing",
         "Kubernetes", "Statistics", "Apache Spark", "System design"),
        levels=(2, 6),
    ),
    "data_scientist": _Family(
        "Data Scientist", "Data Science Manager",
        ("Statistics", "Experimentation", "Python", "Machine learning", "SQL", "Product analytics",
         "Data visualisation", "Storytelling"),
        lead="Principal",
    ),
    "data_analyst": _Family(
        "Data Analyst", "Analytics Manager",
        ("SQL", "Excel", "Looker", "Data visualisation", "Statistics", "Product analytics",
         "Storytelling"),
        levels=(1, 5),
    ),
    # Product and Design
    "product_manager": _Family(
        "Product Manager", "Group Product Manager",
        ("Product management", "Product discovery", "Roadmapping", "Stakeholder management",
         "User research", "Product analytics", "Experimentation", "Go-to-market strategy",
         "Pricing"),
        junior="Associate", lead="Principal", senior_manager_title="Senior Group Product Manager",
    ),
    "product_ops": _Family(
        "Product Operations Analyst", "Product Operations Manager",
        ("Program management", "Product analytics", "Stakeholder management", "SQL",
         "Project management"),
        levels=(2, 5),
    ),
    "product_designer": _Family(
        "Product Designer", "Design Manager",
        ("Figma", "Interaction design", "Prototyping", "Design systems", "User research",
         "Visual design", "Usability testing", "Accessibility"),
        lead="Lead",
    ),
    "ux_researcher": _Family(
        "UX Researcher", "Research Manager",
        ("User research", "Usability testing", "Facilitation", "Statistics", "Storytelling",
         "Product discovery"),
        levels=(2, 6), lead="Lead",
    ),
    "content_designer": _Family(
        "Content Designer", "Content Design Manager",
        ("Content design", "Copywriting", "Technical writing", "Accessibility", "User research",
         "Figma"),
        levels=(2, 6), lead="Lead",
    ),
    # Sales and Customer Success
    "sdr": _Family(
        "Sales Development Representative", "Sales Development Manager",
        ("Prospecting", "Salesforce", "Negotiation", "Public speaking", "Customer onboarding"),
        levels=(1, 3), junior="Associate",
    ),
    "account_executive": _Family(
        "Account Executive", "Sales Manager",
        ("Enterprise sales", "Negotiation", "Salesforce", "Solution selling", "Sales forecasting",
         "Account management", "Stakeholder management", "Public speaking"),
        levels=(2, 6), lead="Strategic", senior_manager_title="Regional Sales Director",
    ),
    "solutions_engineer": _Family(
        "Solutions Engineer", "Solutions Engineering Manager",
        ("Solution selling", "API design", "Public speaking", "SQL", "Python",
         "Customer onboarding", "Storytelling"),
        levels=(3, 6), lead="Principal",
    ),
    "revops": _Family(
        "Revenue Operations Analyst", "Revenue Operations Manager",
        ("Salesforce", "Sales forecasting", "SQL", "Excel", "Data visualisation",
         "Project management"),
        levels=(2, 5),
    ),
    "csm": _Family(
        "Customer Success Manager", "Customer Success Team Lead",
        ("Account management", "Customer retention", "Customer onboarding",
         "Stakeholder management", "Negotiation", "Salesforce", "Facilitation"),
        junior="Associate", lead="Principal",
        senior_manager_title="Senior Manager, Customer Success",
    ),
    "support": _Family(
        "Support Engineer", "Support Team Lead",
        ("Customer support", "SQL", "Incident management", "Technical writing", "API design",
         "Linux"),
        levels=(1, 5), senior_manager_title="Support Manager",
    ),
    "implementation": _Family(
        "Implementation Consultant", "Implementation Manager",
        ("Customer onboarding", "Project management", "SQL", "Facilitation", "Technical writing",
         "Stakeholder management"),
        levels=(2, 6), lead="Lead",
    ),
    # Marketing
    "growth_marketing": _Family(
        "Growth Marketer", "Growth Marketing Lead",
        ("Demand generation", "SEO", "Experimentation", "Copywriting", "Product analytics",
         "Content marketing"),
        lead="Lead",
    ),
    "product_marketing": _Family(
        "Product Marketing Manager", "Product Marketing Lead",
        ("Product marketing", "Go-to-market strategy", "Storytelling", "Copywriting",
         "Public speaking", "Pricing"),
        levels=(2, 6), junior="Associate", lead="Principal",
    ),
    "content_marketing": _Family(
        "Content Strategist", "Content Lead",
        ("Content marketing", "Copywriting", "SEO", "Storytelling", "Brand strategy"),
        lead="Lead",
    ),
    "brand": _Family(
        "Brand Designer", "Brand Lead",
        ("Visual design", "Brand strategy", "Figma", "Storytelling", "Copywriting"),
        lead="Lead",
    ),
    "events": _Family(
        "Events Manager", "Events Lead",
        ("Event management", "Negotiation", "Stakeholder management", "Public speaking",
         "Project management"),
        junior="Associate", lead="Lead",
        titles={1: "Events Coordinator", 2: "Events Coordinator"},
    ),
    # Finance and Legal
    "financial_analyst": _Family(
        "Financial Analyst", "Finance Manager",
        ("Financial modelling", "Excel", "Financial planning & analysis", "Budgeting", "SQL",
         "Data visualisation"),
        lead="Lead",
    ),
    "accountant": _Family(
        "Accountant", "Accounting Manager",
        ("Accounting", "Excel", "Budgeting", "Compliance", "Risk management"),
        lead="Lead", senior_manager_title="Financial Controller",
        titles={1: "Accounts Assistant"},
    ),
    "procurement": _Family(
        "Procurement Specialist", "Procurement Manager",
        ("Procurement", "Contract negotiation", "Negotiation", "Stakeholder management", "Excel"),
        levels=(2, 5),
    ),
    "legal": _Family(
        "Legal Counsel", "Associate General Counsel",
        ("Commercial law", "Contract negotiation", "Data privacy", "Compliance",
         "Employment law", "Negotiation", "Risk management"),
        titles={1: "Paralegal", 2: "Paralegal", 6: "Lead Counsel"},
        senior_manager_title="Deputy General Counsel",
    ),
    "privacy": _Family(
        "Privacy & Compliance Analyst", "Compliance Manager",
        ("Data privacy", "Compliance", "Risk management", "Security engineering",
         "Technical writing"),
        levels=(2, 6), lead="Lead",
    ),
    # People & Talent
    "recruiter": _Family(
        "Recruiter", "Recruiting Manager",
        ("Recruiting", "Interviewing", "Employer branding", "Negotiation",
         "Stakeholder management", "Workforce planning", "Diversity & inclusion"),
        lead="Lead", titles={1: "Recruiting Coordinator", 2: "Sourcer"},
    ),
    "people_partner": _Family(
        "People Partner", "People Partnering Lead",
        ("Employee relations", "Coaching", "Conflict management", "Performance management",
         "Change management", "Employment law", "Diversity & inclusion"),
        levels=(2, 6), junior="Associate", lead="Lead",
    ),
    "people_ops": _Family(
        "People Operations Specialist", "People Operations Manager",
        ("HR information systems", "Compensation & benefits", "Compliance", "Excel",
         "Employment law", "Workforce planning"),
        lead="Lead",
    ),
    "learning": _Family(
        "Learning & Development Partner", "Learning & Development Lead",
        ("Learning design", "Facilitation", "Coaching", "Mentoring", "Public speaking",
         "Change management"),
        levels=(2, 6), lead="Lead",
    ),
    # Office of the CEO and the executive team
    "executive": _Family(
        "Executive", "Executive",
        ("Strategic planning", "Stakeholder management", "Public speaking", "People management",
         "Change management", "Negotiation", "Financial modelling", "Storytelling"),
        levels=(7, 9),
    ),
    "business_operations": _Family(
        "Business Operations Analyst", "Business Operations Manager",
        ("Strategic planning", "Financial modelling", "Excel", "Project management",
         "Stakeholder management", "SQL"),
        levels=(2, 6),
    ),
    "executive_assistant": _Family(
        "Executive Assistant", "Executive Assistant Lead",
        ("Project management", "Stakeholder management", "Event management", "Excel"),
        levels=(2, 5),
    ),
    "communications": _Family(
        "Communications Manager", "Head of Communications",
        ("Storytelling", "Copywriting", "Public speaking", "Change management",
         "Stakeholder management"),
        levels=(3, 6),
    ),
}  # fmt: skip


# --- Places and people ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str
    time_zone: str
    remote_time_zones: tuple[str, ...]
    name_pools: dict[str, int]
    languages: tuple[tuple[str, float], ...] = ()


LOCATIONS: tuple[_Place, ...] = (
    _Place(
        "London", "Europe/London", ("Europe/Dublin", "Europe/Lisbon", "Africa/Lagos"),
        {"anglo": 45, "indian_north": 8, "nigerian": 7, "polish": 6, "french": 6, "hispanic": 5,
         "arabic": 5, "chinese": 5, "indian_south": 4, "german": 3, "brazilian": 2, "japanese": 2},
    ),
    _Place(
        "New York", "America/New_York", ("America/Chicago", "America/Toronto"),
        {"anglo": 45, "hispanic": 15, "chinese": 8, "indian_north": 7, "korean": 5,
         "nigerian": 4, "arabic": 3, "french": 3, "polish": 3, "brazilian": 3, "japanese": 2},
    ),
    _Place(
        "San Francisco", "America/Los_Angeles",
        ("America/Denver", "America/Vancouver", "America/Phoenix"),
        {"anglo": 35, "chinese": 14, "hispanic": 12, "indian_north": 11, "indian_south": 8,
         "korean": 6, "vietnamese": 5, "japanese": 3, "french": 2, "german": 2, "brazilian": 2},
    ),
    _Place(
        "Berlin", "Europe/Berlin",
        ("Europe/Warsaw", "Europe/Amsterdam", "Europe/Madrid", "Europe/Istanbul"),
        {"german": 55, "anglo": 8, "turkish": 7, "polish": 7, "french": 5, "hispanic": 5,
         "arabic": 5, "indian_north": 4, "brazilian": 2, "vietnamese": 2},
        (("German", 0.6),),
    ),
    _Place(
        "Bengaluru", "Asia/Kolkata", ("Asia/Colombo", "Asia/Dubai"),
        {"indian_south": 55, "indian_north": 40, "anglo": 2, "arabic": 1},
        (("Kannada", 0.2), ("Hindi", 0.4)),
    ),
    _Place(
        "Singapore", "Asia/Singapore",
        ("Asia/Manila", "Asia/Jakarta", "Australia/Sydney", "Asia/Tokyo"),
        {"chinese": 50, "malay": 15, "indian_south": 12, "anglo": 8, "indian_north": 4,
         "japanese": 3, "korean": 3, "vietnamese": 3},
        (("Mandarin", 0.15), ("Malay", 0.15)),
    ),
    _Place(
        "São Paulo", "America/Sao_Paulo",
        ("America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City"),
        {"brazilian": 80, "hispanic": 8, "japanese": 4, "anglo": 3, "german": 3, "arabic": 2},
        (("Portuguese", 0.95),),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class _NamePool:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    languages: tuple[tuple[str, float], ...] = ()


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


_NAME_POOLS: dict[str, _NamePool] = {
    "anglo": _NamePool(
        _names(
            "Oliver, Amelia, Jack, Isla, Harry, Sophie, George, Emily, James, Grace, William, "
            "Charlotte, Thomas, Olivia, Ethan, Hannah, Samuel, Chloe, Noah, Lucy, Liam, Emma, "
            "Ryan, Megan, Nathan, Rachel, Aiden, Zoe, Caleb, Madison, Owen, Freya"
        ),
        _names(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, "
            "Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Clarke, Hughes, "
            "Edwards, Turner, Cooper, Morris, Bennett, Carter, Mitchell, Parker, Murphy, "
            "Sullivan, O'Connor, Fletcher"
        ),
    ),
    "german": _NamePool(
        _names(
            "Lukas, Leonie, Felix, Lea, Jonas, Hannah, Maximilian, Anna, Paul, Laura, Niklas, "
            "Julia, Tobias, Katharina, Jan, Lena, Moritz, Johanna, Florian, Miriam, Sebastian, "
            "Franziska"
        ),
        _names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Koch, Richter, Klein, Wolf, Schröder, Neumann, Braun, Zimmermann, "
            "Krüger, Hartmann, Lange, Vogel"
        ),
        (("German", 0.98),),
    ),
    "turkish": _NamePool(
        _names("Emre, Elif, Can, Zeynep, Mehmet, Ayşe, Burak, Merve, Deniz, Ece, Kerem, Selin"),
        _names(
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Aydın, Öztürk, Arslan, Doğan, Koç, "  # noqa: RUF001
            "Kurt"
        ),
        (("Turkish", 0.9),),
    ),
    "french": _NamePool(
        _names(
            "Lucas, Camille, Hugo, Manon, Louis, Chloé, Théo, Léa, Antoine, Inès, Mathieu, "
            "Juliette, Julien, Élodie, Nicolas, Margaux"
        ),
        _names(
            "Martin, Bernard, Dubois, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, "
            "Laurent, Lefebvre, Michel, Fournier, Girard, Bonnet, Rousseau, Lambert"
        ),
        (("French", 0.97),),
    ),
    "polish": _NamePool(
        _names(
            "Jakub, Zuzanna, Kacper, Aleksandra, Mateusz, Magdalena, Piotr, Agnieszka, "
            "Michał, Karolina, Tomasz, Natalia"
        ),
        _names(
            "Nowak, Wójcik, Kowalczyk, Woźniak, Mazur, Krawczyk, Kaczmarek, Zając, Król, "
            "Wieczorek, Pawlak, Michalak, Sikora, Baran, Duda, Szewczyk"
        ),
        (("Polish", 0.95),),
    ),
    "hispanic": _NamePool(
        _names(
            "Mateo, Sofía, Santiago, Valentina, Diego, Camila, Alejandro, Lucía, Javier, "
            "Isabella, Carlos, Gabriela, Andrés, Mariana, Luis, Daniela, Pablo, Ana, Miguel, "
            "Paula"
        ),
        _names(
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, "
            "Ramírez, Torres, Flores, Rivera, Gómez, Díaz, Cruz, Morales, Ortiz, Castillo, "
            "Romero, Vargas"
        ),
        (("Spanish", 0.85),),
    ),
    "brazilian": _NamePool(
        _names(
            "João, Ana, Pedro, Beatriz, Lucas, Mariana, Gabriel, Larissa, Rafael, Juliana, "
            "Gustavo, Fernanda, Thiago, Camila, Felipe, Letícia, Bruno, Carolina, Rodrigo, "
            "Aline, Vinícius, Isabela"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, "
            "Costa, Ribeiro, Martins, Carvalho, Almeida, Lopes, Barbosa, Araújo, Rocha, "
            "Nascimento, Moreira, Cardoso"
        ),
        (("Portuguese", 0.98),),
    ),
    "indian_north": _NamePool(
        _names(
            "Aarav, Ananya, Rohan, Priya, Arjun, Neha, Vikram, Pooja, Rahul, Shreya, Aditya, "
            "Kavya, Karan, Isha, Siddharth, Riya, Amit, Sneha, Varun, Tanvi"
        ),
        _names(
            "Sharma, Verma, Gupta, Singh, Kumar, Agarwal, Mehta, Joshi, Malhotra, Kapoor, "
            "Chopra, Bansal, Saxena, Mishra, Pandey, Chauhan, Bhatia, Sinha"
        ),
        (("Hindi", 0.9), ("Punjabi", 0.15), ("Bengali", 0.1)),
    ),
    "indian_south": _NamePool(
        _names(
            "Karthik, Divya, Arun, Lakshmi, Vijay, Meera, Suresh, Deepa, Pranav, Anjali, "
            "Harish, Nandini, Ravi, Swathi, Ganesh, Keerthana, Manoj, Aishwarya, Srinivas, "
            "Bhavana"
        ),
        _names(
            "Iyer, Reddy, Nair, Rao, Krishnan, Pillai, Menon, Subramanian, Venkatesh, "
            "Raghavan, Naidu, Hegde, Shetty, Gowda, Kulkarni, Srinivasan, Chandrasekhar, "
            "Balasubramanian"
        ),
        (("Tamil", 0.35), ("Kannada", 0.3), ("Telugu", 0.25), ("Malayalam", 0.15), ("Hindi", 0.5)),
    ),
    "chinese": _NamePool(
        _names(
            "Wei, Mei, Hao, Xin, Ying, Jun, Lin, Jia Hui, Zhi Wei, Xiaoming, Yifan, Ziyi, "
            "Haoran, Yuxuan, Shu Fen, Wen Jie, Kai, Jing"
        ),
        _names(
            "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Lim, Tan, Ng, "
            "Goh, Lee, Teo, Ong, Koh"
        ),
        (("Mandarin", 0.85), ("Cantonese", 0.2)),
    ),
    "malay": _NamePool(
        _names(
            "Ahmad, Nur Aisyah, Hafiz, Siti, Amir, Farah, Hakim, Nurul, Irfan, Aina, Faiz, Syafiqah"
        ),
        _names(
            "Abdullah, Ismail, Rahman, Hassan, Yusof, Ibrahim, Osman, Salleh, Rahim, Hamid, "
            "Aziz, Karim"
        ),
        (("Malay", 0.95),),
    ),
    "japanese": _NamePool(
        _names("Haruto, Yui, Sota, Hina, Ren, Aoi, Yuto, Sakura, Kenji, Yuki, Takeshi, Naomi"),
        _names(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, "
            "Kato, Yoshida, Yamada"
        ),
        (("Japanese", 0.9),),
    ),
    "korean": _NamePool(
        _names(
            "Min-jun, Seo-yeon, Ji-ho, Ha-eun, Do-yun, Ji-woo, Jae-won, Soo-ah, Hyun-woo, "
            "Eun-ji, Grace, Daniel"
        ),
        _names("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Han, Shin, Seo"),
        (("Korean", 0.85),),
    ),
    "vietnamese": _NamePool(
        _names("Minh, Linh, Huy, Trang, Duc, Thao, Khoa, Ngoc, Tuan, Huong, Bao, Mai"),
        _names("Nguyen, Tran, Le, Pham, Hoang, Vu, Dang, Bui, Do, Ho, Ngo, Duong"),
        (("Vietnamese", 0.85),),
    ),
    "nigerian": _NamePool(
        _names(
            "Chinedu, Adaeze, Oluwaseun, Ngozi, Emeka, Funmilayo, Tunde, Chiamaka, Ifeanyi, "
            "Folake, Obinna, Temitope, Kelechi, Yewande"
        ),
        _names(
            "Okafor, Adeyemi, Okonkwo, Balogun, Eze, Adebayo, Nwosu, Ogunleye, Obi, Afolabi, "
            "Chukwu, Oyelaran"
        ),
        (("Yoruba", 0.35), ("Igbo", 0.3), ("Hausa", 0.1)),
    ),
    "arabic": _NamePool(
        _names(
            "Omar, Layla, Youssef, Noor, Karim, Mariam, Yasmin, Tariq, Salma, Khalid, Dina, "
            "Rami, Hana, Ziad"
        ),
        _names(
            "Haddad, Khalil, Nasser, Mansour, Saleh, Farouk, Hamdan, Sabbagh, Darwish, "
            "Kassem, Barakat, Najjar"
        ),
        (("Arabic", 0.9), ("French", 0.25)),
    ),
}

_EXTRA_LANGUAGES = (
    "Spanish", "French", "German", "Italian", "Japanese", "Mandarin", "Portuguese", "Dutch",
)  # fmt: skip


# --- The shape of the organisation ----------------------------------------------------------------


@dataclass(frozen=True)
class _Seat:
    """A named individual contributor under a named leader (an executive assistant, say)."""

    family: str
    level: int
    title: str = ""
    persona: str = ""


@dataclass(frozen=True)
class _Unit:
    """A named leader and what sits under them.

    `share` is this unit's weight when the remaining headcount is handed out; the unit's teams are
    then generated from `families` (the first is the unit's main craft). Generated directors are
    titled `director_title, <area>`.
    """

    title: str
    department: str
    level: int
    family: str = "executive"
    share: float = 0.0
    families: dict[str, int] = field(default_factory=dict)
    director_title: str = ""
    areas: tuple[str, ...] = ()
    locations: dict[str, int] | None = None
    children: tuple["_Unit", ...] = ()
    seats: tuple[_Seat, ...] = ()


DEPARTMENTS = (
    "Office of the CEO",
    "Engineering",
    "Data Platform",
    "Product",
    "Design",
    "Sales",
    "Customer Success",
    "Marketing",
    "Finance & Legal",
    "People & Talent",
)

_ORGANISATION = _Unit(
    "Chief Executive Officer", "Office of the CEO", 9, locations={"London": 1},
    children=(
        _Unit(
            "Chief of Staff", "Office of the CEO", 7, family="business_operations",
            seats=(
                _Seat("executive_assistant", 4, "Executive Assistant to the CEO"),
                _Seat("executive_assistant", 3, "Executive Assistant"),
                _Seat("business_operations", 5, "Strategy & Operations Manager"),
                _Seat("business_operations", 3),
                _Seat("communications", 4, "Internal Communications Manager"),
            ),
        ),
        _Unit(
            "Chief Technology Officer", "Engineering", 9, family="backend",
            locations={"San Francisco": 30, "London": 25, "Berlin": 20, "Bengaluru": 25},
            seats=(
                _Seat("backend", 6, "Principal Engineer"),
                _Seat("sre", 6, "Principal Engineer"),
            ),
            children=(
                _Unit(
                    "VP of Engineering, Platform", "Engineering", 8, family="sre", share=13,
                    families={"sre": 4, "backend": 4, "security": 2, "qa": 1, "tpm": 1},
                    director_title="Director of Engineering",
                    areas=("Infrastructure", "Developer Experience", "Reliability", "Security",
                           "Data Storage"),
                    locations={"Berlin": 30, "Bengaluru": 30, "London": 20, "San Francisco": 20},
                ),
                _Unit(
                    "VP of Engineering, Product", "Engineering", 8, family="backend", share=19,
                    families={"backend": 5, "frontend": 4, "fullstack": 3, "mobile": 2, "qa": 1,
                              "tpm": 1},
                    director_title="Director of Engineering",
                    areas=("Payments", "Identity & Access", "Search & Discovery", "Mobile",
                           "Collaboration", "Integrations", "Growth"),
                    locations={"London": 25, "San Francisco": 25, "Bengaluru": 25, "Berlin": 15,
                               "São Paulo": 10},
                ),
                _Unit(
                    "VP of Data Platform", "Data Platform", 8, family="data_engineer", share=8,
                    families={"data_engineer": 4, "data_scientist": 3, "ml_engineer": 2,
                              "analytics_engineer": 2, "data_analyst": 2},
                    director_title="Director of Data",
                    areas=("Data Engineering", "Machine Learning", "Analytics"),
                    locations={"Bengaluru": 30, "London": 25, "San Francisco": 20, "Berlin": 15,
                               "Singapore": 10},
                ),
            ),
        ),
        _Unit(
            "Chief Product Officer", "Product", 9, family="product_manager",
            locations={"London": 35, "San Francisco": 35, "Berlin": 15, "New York": 15},
            seats=(_Seat("product_ops", 5, "Product Operations Lead"),),
            children=(
                _Unit("Director of Product, Core", "Product", 7, family="product_manager",
                      share=2.8, families={"product_manager": 1}),
                _Unit("Director of Product, Growth", "Product", 7, family="product_manager",
                      share=2, families={"product_manager": 4, "product_ops": 1}),
                _Unit("Director of Product, Platform", "Product", 7, family="product_manager",
                      share=1.7, families={"product_manager": 1}),
                _Unit(
                    "VP of Design", "Design", 8, family="product_designer", share=4.5,
                    families={"product_designer": 6, "ux_researcher": 2, "content_designer": 1},
                    director_title="Director of Design",
                    areas=("Product Design", "Research & Content"),
                ),
            ),
        ),
        _Unit(
            "Chief Revenue Officer", "Sales", 9, family="account_executive",
            locations={"New York": 1},
            children=(
                _Unit(
                    "VP of Sales, EMEA", "Sales", 8, family="account_executive", share=5,
                    families={"account_executive": 5, "sdr": 4, "solutions_engineer": 2},
                    director_title="Director of Sales",
                    areas=("UK & Ireland", "DACH", "Nordics & Benelux"),
                    locations={"London": 65, "Berlin": 35},
                ),
                _Unit(
                    "VP of Sales, Americas", "Sales", 8, family="account_executive", share=6,
                    families={"account_executive": 5, "sdr": 4, "solutions_engineer": 2},
                    director_title="Director of Sales",
                    areas=("North America East", "North America West", "Latin America"),
                    locations={"New York": 50, "San Francisco": 25, "São Paulo": 25},
                ),
                _Unit(
                    "VP of Sales, APAC", "Sales", 8, family="account_executive", share=3,
                    families={"account_executive": 5, "sdr": 4, "solutions_engineer": 2},
                    director_title="Director of Sales", areas=("South-East Asia", "India"),
                    locations={"Singapore": 70, "Bengaluru": 30},
                ),
                _Unit(
                    "VP of Customer Success", "Customer Success", 8, family="csm", share=11,
                    families={"csm": 5, "support": 4, "implementation": 2},
                    director_title="Director of Customer Success",
                    areas=("Enterprise", "Mid-Market", "Support", "Onboarding"),
                    locations={"London": 20, "New York": 15, "São Paulo": 15, "Bengaluru": 25,
                               "Singapore": 15, "Berlin": 5, "San Francisco": 5},
                ),
                _Unit("Director of Revenue Operations", "Sales", 7, family="revops", share=1.2,
                      families={"revops": 1}),
            ),
        ),
        _Unit(
            "Chief Marketing Officer", "Marketing", 9, family="product_marketing",
            locations={"London": 35, "New York": 35, "San Francisco": 10, "Berlin": 10,
                       "Singapore": 5, "São Paulo": 5},
            children=(
                _Unit("Director of Growth Marketing", "Marketing", 7, family="growth_marketing",
                      share=2.2, families={"growth_marketing": 1}),
                _Unit("Director of Product Marketing", "Marketing", 7,
                      family="product_marketing", share=1.8,
                      families={"product_marketing": 1}),
                _Unit("Director of Brand & Content", "Marketing", 7, family="content_marketing",
                      share=2, families={"content_marketing": 3, "brand": 2}),
                _Unit("Director of Field & Events Marketing", "Marketing", 7, family="events",
                      share=1.5, families={"events": 1}),
            ),
        ),
        _Unit(
            "Chief Financial Officer", "Finance & Legal", 9, family="financial_analyst",
            locations={"London": 50, "New York": 30, "Bengaluru": 20},
            seats=(_Seat("financial_analyst", 6, "Strategic Finance Lead"),),
            children=(
                _Unit("VP of Finance", "Finance & Legal", 8, family="financial_analyst",
                      share=2.6, families={"financial_analyst": 3, "accountant": 3},
                      director_title="Director of Finance", areas=("FP&A", "Accounting")),
                _Unit("General Counsel", "Finance & Legal", 8, family="legal", share=1.4,
                      families={"legal": 3, "privacy": 1}),
                _Unit("Director of Procurement", "Finance & Legal", 7, family="procurement",
                      share=0.6, families={"procurement": 1}),
            ),
        ),
        _Unit(
            "Chief People Officer", "People & Talent", 9, family="people_partner",
            locations={"London": 40, "New York": 15, "San Francisco": 10, "Berlin": 10,
                       "Bengaluru": 15, "Singapore": 5, "São Paulo": 5},
            children=(
                _Unit("Director of Talent Acquisition", "People & Talent", 7, family="recruiter",
                      share=2.8, families={"recruiter": 1}),
                _Unit("Director of People Partnering", "People & Talent", 7,
                      family="people_partner", share=1.3, families={"people_partner": 1}),
                _Unit(
                    "Head of Learning & Development", "People & Talent", 7, family="learning",
                    share=0.6, families={"learning": 1}, locations={"London": 1},
                    seats=(_Seat("learning", 5, "Mentoring Program Manager",
                                 persona="program_manager"),),
                ),
                _Unit(
                    "Director of People Operations", "People & Talent", 7, family="people_ops",
                    share=1.1, families={"people_ops": 1}, locations={"London": 1},
                    seats=(_Seat("people_ops", 5, "HRIS Administrator", persona="admin"),),
                ),
            ),
        ),
    ),
)  # fmt: skip

_MAX_SPAN = 9
_MIN_SPAN = 4
_LARGEST_TEAM_SPLIT = 90  # above this, a leader's people are split into larger sub-organisations
# Individual contributors' levels: a pyramid, most people at 3 and 4.
_IC_LEVEL_WEIGHTS = {1: 8, 2: 16, 3: 24, 4: 24, 5: 19, 6: 9}
# Years of tenure a person at each level plausibly has (low, high).
_TENURE_YEARS = {
    1: (0.05, 2.0), 2: (0.2, 3.5), 3: (0.5, 5.0), 4: (1.0, 7.0), 5: (1.0, 9.0),
    6: (2.0, 10.5), 7: (2.5, 11.5), 8: (3.0, 12.0), 9: (4.0, 12.1),
}  # fmt: skip
_INACTIVE_SHARE = 0.02
_REMOTE_SHARE = 0.03
_BIO_SHARE = 0.4


@dataclass
class _Draft:
    """One person while the organisation is being planned, before it touches the database."""

    index: int
    manager: int | None
    department: str
    level: int
    title: str
    family: str
    location: str
    is_manager: bool = False
    persona: str = ""
    pool: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    employee_id: str = ""
    time_zone: str = ""
    hire_date: date = FOUNDED
    is_active: bool = True
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    bio: str = ""


@dataclass(frozen=True)
class DemoPlan:
    """The whole demo organisation as plain data: people in manager-before-report order."""

    people: tuple[_Draft, ...]


class _Planner:
    def __init__(self, size: int, seed: int):
        self.rng = Random(seed)
        self.size = size
        self.people: list[_Draft] = []
        self.budgets: dict[int, int] = {}  # id(unit) -> people to generate under it
        self.area_cursor: dict[str, int] = {}

    # -- structure --

    def plan(self) -> DemoPlan:
        leaves = list(_leaf_units(_ORGANISATION))
        fixed = _count_named(_ORGANISATION)
        minimum = fixed + _MIN_SPAN * len(leaves)
        if self.size < minimum:
            raise ValueError(f"The demo organisation needs at least {minimum} people.")
        budgets = _apportion(self.size - fixed, [unit.share for unit in leaves], _MIN_SPAN)
        self.budgets = {id(unit): budget for unit, budget in zip(leaves, budgets, strict=True)}
        self._add_unit(_ORGANISATION, manager=None, locations=_ORGANISATION.locations or {})
        for person in self.people:
            if person.manager is not None:
                self.people[person.manager].is_manager = True
        self._hire_dates()
        self._choose_personas()
        self._names_and_emails()
        self._places_skills_languages_bios()
        return DemoPlan(tuple(self.people))

    def _add(
        self,
        manager: int | None,
        department: str,
        level: int,
        title: str,
        family: str,
        location: str,
        persona: str = "",
    ) -> int:
        index = len(self.people)
        self.people.append(
            _Draft(index, manager, department, level, title, family, location, persona=persona)
        )
        return index

    def _pick_location(self, manager: int | None, locations: dict[str, int], stay: float) -> str:
        if manager is not None and self.rng.random() < stay:
            inherited = self.people[manager].location
            if inherited in locations:
                return inherited
        return _weighted(self.rng, locations)

    def _add_unit(self, unit: _Unit, manager: int | None, locations: dict[str, int]) -> None:
        locations = unit.locations or locations
        leader = self._add(
            manager,
            unit.department,
            unit.level,
            unit.title,
            unit.family,
            self._pick_location(manager, locations, 0.3),
        )
        for seat in unit.seats:
            family = _FAMILIES[seat.family]
            self._add(
                leader,
                unit.department,
                seat.level,
                seat.title or family.title_at(seat.level),
                seat.family,
                self._pick_location(leader, locations, 0.7),
                persona=seat.persona,
            )
        for child in unit.children:
            self._add_unit(child, leader, locations)
        if unit.share:
            self._fill(leader, unit, self.budgets[id(unit)], len(unit.seats), locations)

    def _fill(
        self, leader: int, unit: _Unit, budget: int, fixed: int, locations: dict[str, int]
    ) -> None:
        """Generate the `budget` people below `leader`: teams, their managers, and above them."""
        if budget + fixed <= _MAX_SPAN:
            self._team(leader, unit, budget, _weighted(self.rng, unit.families), locations)
            return
        parts, direct = self._split(budget, fixed)
        leader_level = self.people[leader].level
        main = next(iter(unit.families))
        for _ in range(direct):
            family = _FAMILIES[main]
            level = family.clamp(6 if leader_level >= 7 else 5)
            self._add(
                leader,
                unit.department,
                level,
                family.title_at(level),
                main,
                self._pick_location(leader, locations, 0.6),
            )
        for part in parts:
            location = self._pick_location(leader, locations, 0.5)
            if part <= _MAX_SPAN:
                key = _weighted(self.rng, unit.families)
                level = 6 if self.rng.random() < 0.75 else 5
                manager = self._add(
                    leader,
                    unit.department,
                    min(level, leader_level),
                    _FAMILIES[key].manager_title,
                    key,
                    location,
                )
                self._team(manager, unit, part, key, locations)
            elif leader_level >= 8 and part >= 30:
                manager = self._add(
                    leader, unit.department, 7, self._director_title(unit), main, location
                )
                self._fill(manager, unit, part, 0, locations)
            else:
                family = _FAMILIES[main]
                title = family.senior_manager_title or f"Senior {family.manager_title}"
                manager = self._add(leader, unit.department, 6, title, main, location)
                self._fill(manager, unit, part, 0, locations)

    def _split(self, budget: int, fixed: int) -> tuple[list[int], int]:
        """Budgets of the sub-leaders under a leader, and how many report to them directly."""
        options = [
            (leaders, direct)
            for leaders in range(1, _MAX_SPAN + 1)
            for direct in range(0, _MAX_SPAN + 1 - leaders - fixed)
            if leaders + direct + fixed >= _MIN_SPAN
            and _MIN_SPAN * leaders <= budget - leaders - direct <= _MAX_SPAN * leaders
        ]
        if budget <= _LARGEST_TEAM_SPLIT and options:
            # First-line split: every sub-leader runs one team. Prefer few direct reports
            # besides the managers, and spans of five to eight.
            weights = [
                {0: 4.0, 1: 3.0, 2: 1.5, 3: 0.7}.get(direct, 0.2)
                * (2.0 if 5 <= leaders + direct + fixed <= 8 else 1.0)
                for leaders, direct in options
            ]
            leaders, direct = self.rng.choices(options, weights)[0]
            rest = budget - leaders - direct
            parts = [_MIN_SPAN] * leaders
            for _ in range(rest - _MIN_SPAN * leaders):
                open_parts = [i for i, part in enumerate(parts) if part < _MAX_SPAN]
                parts[self.rng.choice(open_parts)] += 1
            return parts, direct
        direct = min(self.rng.choice((0, 1, 1, 2)), _MAX_SPAN - fixed - 1)
        leaders = min(
            _MAX_SPAN - fixed - direct, max(_MIN_SPAN - fixed - direct, 1, round(budget / 55))
        )
        rest = budget - leaders - direct
        weights = [self.rng.uniform(0.7, 1.3) for _ in range(leaders)]
        return _apportion(rest, weights, _MIN_SPAN), direct

    def _team(
        self, manager: int, unit: _Unit, size: int, primary: str, locations: dict[str, int]
    ) -> None:
        cap = self.people[manager].level - 1
        for _ in range(size):
            key = primary if self.rng.random() < 0.75 else _weighted(self.rng, unit.families)
            family = _FAMILIES[key]
            if family.levels[0] > cap:
                key, family = primary, _FAMILIES[primary]
            level = family.clamp(min(_weighted(self.rng, _IC_LEVEL_WEIGHTS), cap))
            self._add(
                manager,
                unit.department,
                level,
                family.title_at(level),
                key,
                self._pick_location(manager, locations, 0.6),
            )

    def _director_title(self, unit: _Unit) -> str:
        if not unit.areas:
            return unit.director_title
        cursor = self.area_cursor.get(unit.title, 0)
        self.area_cursor[unit.title] = cursor + 1
        return f"{unit.director_title}, {unit.areas[cursor % len(unit.areas)]}"

    # -- people --

    def _hire_dates(self) -> None:
        for person in self.people:
            if person.manager is None:
                person.hire_date = FOUNDED  # the founder
                continue
            low, high = _TENURE_YEARS[person.level]
            years = self.rng.triangular(low, high, low + (high - low) * 0.35)
            hired = REFERENCE_DATE - timedelta(days=round(years * 365.25))
            hired -= timedelta(days=hired.weekday())  # people start on a Monday
            person.hire_date = max(hired, FOUNDED)
        # Employee numbers follow hiring order, as an HRIS hands them out.
        by_hire = sorted(self.people, key=lambda p: (p.hire_date, p.index))
        for number, person in enumerate(by_hire, start=1):
            person.employee_id = f"NW{number:05d}"

    def _choose_personas(self) -> None:
        # The participant is a mid-level product engineer, in London when there is one.
        engineers = [
            p
            for p in self.people
            if p.family in ("backend", "frontend", "fullstack") and not p.is_manager
        ]
        participant = min(
            engineers,
            key=lambda p: (p.level not in (3, 4), p.location != "London", p.employee_id),
        )
        if participant.level not in (3, 4):  # only in a very small demo
            participant.level = 4
            participant.title = _FAMILIES[participant.family].title_at(4)
        participant.persona = "participant"
        for person in self.people:
            if person.persona:
                person.first_name, person.last_name, person.pool = _PERSONAS[person.persona]
        # About 2% are former employees; leaders and the demo accounts stay.
        for person in self.people:
            if not person.is_manager and not person.persona and person.level <= 5:
                person.is_active = self.rng.random() >= _INACTIVE_SHARE

    def _names_and_emails(self) -> None:
        places = {place.name: place for place in LOCATIONS}
        for person in self.people:
            if person.persona:
                person.email = _persona_email(person.persona)
        taken = {p.email for p in self.people if p.persona}
        for person in sorted(self.people, key=lambda p: p.employee_id):
            if person.persona:
                continue
            person.pool = _weighted(self.rng, places[person.location].name_pools)
            pool = _NAME_POOLS[person.pool]
            person.first_name = self.rng.choice(pool.first_names)
            person.last_name = self.rng.choice(pool.last_names)
            local = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}"
            email, number = f"{local}@{EMAIL_DOMAIN}", 1
            while email in taken:
                number += 1
                email = f"{local}{number}@{EMAIL_DOMAIN}"
            taken.add(email)
            person.email = email

    def _places_skills_languages_bios(self) -> None:
        places = {place.name: place for place in LOCATIONS}
        for person in self.people:
            place = places[person.location]
            person.time_zone = place.time_zone
            if not person.persona and self.rng.random() < _REMOTE_SHARE:
                person.time_zone = self.rng.choice(place.remote_time_zones)
            person.skills = self._skills(person)
            person.languages = self._languages(person, place)
            wants_bio = person.persona or person.level >= 8 or self.rng.random() < _BIO_SHARE
            if wants_bio and person.is_active:
                person.bio = self._bio(person)

    def _skills(self, person: _Draft) -> list[str]:
        craft = _FAMILIES[person.family].skills
        weights: dict[str, float] = {}
        for rank, name in enumerate(craft):
            weights[name] = 3.0 * (len(craft) - rank) / len(craft) + 1.0
        for name in _COMMUNICATION_SKILLS:
            weights.setdefault(name, 0.4)
        if person.is_manager:
            for name in _LEADERSHIP_SKILLS:
                weights[name] = weights.get(name, 0.0) + 0.6 + 0.25 * (person.level - 5)
        count = self.rng.choices((3, 4, 5, 6, 7, 8), (10, 20, 25, 22, 14, 9))[0]
        return _weighted_sample(self.rng, weights, count)

    def _languages(self, person: _Draft, place: _Place) -> list[str]:
        spoken = ["English"]
        for language, chance in (*_NAME_POOLS[person.pool].languages, *place.languages):
            if language not in spoken and self.rng.random() < chance:
                spoken.append(language)
        if self.rng.random() < 0.12:
            extra = self.rng.choice(_EXTRA_LANGUAGES)
            if extra not in spoken:
                spoken.append(extra)
        return spoken

    def _bio(self, person: _Draft) -> str:
        rng = self.rng
        year = person.hire_date.year
        place = person.location
        if person.manager is None:
            opening = f"Founder and {person.title} of {ORGANISATION_NAME}, based in {place}."
        elif person.level == 9:
            opening = f"{person.title} at {ORGANISATION_NAME}, based in {place}."
        elif person.level >= 8:
            opening = rng.choice(
                (
                    f"{person.title} at {ORGANISATION_NAME}, based in {place}.",
                    f"I lead {person.department} from {place}.",
                )
            )
        elif person.is_manager:
            opening = rng.choice(
                (
                    f"I manage a team in {person.department}, based in {place}.",
                    f"{person.title} in {place}.",
                    f"I run one of the {person.department} teams out of our {place} office.",
                )
            )
        else:
            opening = rng.choice(
                (
                    f"{person.title} in {place}.",
                    f"I work in {person.department} from our {place} office.",
                    f"{person.title}, {person.department}, {place}.",
                )
            )
        if person.manager is None:
            tenure = f"Started the company in {year} with two friends and a borrowed office."
        elif person.hire_date <= date(2017, 1, 1):
            tenure = rng.choice(
                (
                    f"One of the early team: here since {year}.",
                    f"Joined in {year}, when we still fitted in one room.",
                )
            )
        else:
            tenure = f"Joined in {year} after {rng.choice(_PREVIOUS_LIVES)}."
        skills = [_in_sentence(name) for name in person.skills[:3]]
        craft = rng.choice(
            (
                f"Most of my week goes on {skills[0]} and {skills[1]}.",
                f"Happy to talk about {skills[0]}, {skills[1]} or {skills[2]} with anyone.",
                f"Day to day: {skills[0]}, {skills[1]} and {skills[2]}.",
            )
        )
        if person.is_manager or person.level >= 5:
            growth = f"Keen to mentor people moving into {rng.choice(_MENTOR_TOPICS)}."
        else:
            growth = f"Looking for a mentor to help me grow in {rng.choice(_GROWTH_TOPICS)}."
        hobby = f"Outside work: {rng.choice(_HOBBIES)}."
        return " ".join((opening, tenure, craft, growth, hobby))


_PREVIOUS_LIVES = (
    "five years in consulting", "a start-up that did not make it", "a PhD in physics",
    "a career in teaching", "agency work", "a bank's technology team", "running a small business",
    "the public sector", "a graduate scheme", "a gap year that became three", "a decade in retail",
    "an apprenticeship", "a bootcamp", "a master's in economics", "life as a freelancer",
)  # fmt: skip
_MENTOR_TOPICS = (
    "people management", "a staff-level role", "their first lead role", "public speaking",
    "working across time zones", "a new discipline", "negotiating for what they need",
    "product thinking", "hiring well", "remote leadership",
)  # fmt: skip
_GROWTH_TOPICS = (
    "system design", "public speaking", "stakeholder management", "negotiation",
    "technical leadership", "giving feedback", "product thinking", "writing",
    "working with senior leaders", "my next promotion", "managing my time",
)  # fmt: skip
_HOBBIES = (
    "climbing and bad puns", "sourdough, mostly successful", "running half marathons slowly",
    "choir on Tuesdays", "restoring old bikes", "five-a-side football", "board games",
    "gardening on a very small balcony", "learning the cello", "long walks with a loud dog",
    "swimming in cold water", "photography", "volunteering at a food bank", "chess online",
    "cooking for too many people", "watercolours", "salsa", "birdwatching", "crosswords",
    "yoga", "science fiction", "cricket", "pottery", "hiking", "podcasts about history",
)  # fmt: skip
_PROPER_NOUN_SKILLS = frozenset(
    ("Python", "Go", "Java", "Kotlin", "Swift", "TypeScript", "JavaScript", "React", "GraphQL",
     "SQL", "PostgreSQL", "Linux", "Docker", "Kubernetes", "Terraform", "AWS", "Google Cloud",
     "CI/CD", "iOS development", "Android development", "Apache Spark", "Airflow", "dbt",
     "Looker", "Figma", "Salesforce", "SEO", "Excel", "HR information systems")
)  # fmt: skip


def _in_sentence(skill: str) -> str:
    return skill if skill in _PROPER_NOUN_SKILLS else skill[0].lower() + skill[1:]


def _leaf_units(unit: _Unit):
    """Units whose people are generated: those with a share of the headcount."""
    if unit.share:
        yield unit
    for child in unit.children:
        yield from _leaf_units(child)


def _count_named(unit: _Unit) -> int:
    return 1 + len(unit.seats) + sum(_count_named(child) for child in unit.children)


def _apportion(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split `total` into integer parts proportional to `weights`, each at least `minimum`."""
    spare = total - minimum * len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + part for part in parts]


def _weighted[T](rng: Random, weights: dict[T, int] | dict[T, float]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


def _weighted_sample(rng: Random, weights: dict[str, float], count: int) -> list[str]:
    """`count` distinct keys drawn with probability proportional to weight (Efraimidis-Spirakis)."""
    keyed = sorted(weights, key=lambda name: rng.random() ** (1.0 / weights[name]), reverse=True)
    return keyed[:count]


# Letters that Unicode does not decompose into an ASCII letter plus accents.
_ASCII_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ß": "ss", "ø": "o", "æ": "ae"})  # noqa: RUF001


def _ascii(name: str) -> str:
    """Email-safe form of a name: "Wiśniewski" -> "wisniewski", "Jia Hui" -> "jiahui"."""
    name = unicodedata.normalize("NFKD", name.lower().translate(_ASCII_LETTERS))
    return "".join(ch for ch in name if "a" <= ch <= "z")


# --- Writing it ----------------------------------------------------------------------------------


def plan_demo_organisation(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> DemoPlan:
    """The demo organisation as plain data, without touching the database."""
    return _Planner(size, seed).plan()


def demo_organisation_exists() -> bool:
    return Person.objects.filter(email=DEMO_CREDENTIALS.admin_email).exists()


@transaction.atomic
def seed_demo_organisation(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> DemoCredentials:
    """Create the Northwind Labs demo directory and its accounts; return the sign-in details.

    `size` people (1,200 by default: CEO, executives, directors, managers, individual
    contributors) in ten departments and seven offices, with skills, languages and bios, plus
    accounts for the three demo personas and about fifty more people. Does nothing when the demo
    is already there; raises DemoSeedError when the directory holds other people.
    """
    if demo_organisation_exists():
        return DEMO_CREDENTIALS
    existing = Person.objects.count()
    if existing:
        raise DemoSeedError(
            f"The directory already holds {existing} people who are not the demo organisation. "
            "The demo seeds an empty database only: point TRELLIS_DATA_DIR (or DATABASE_URL) at "
            "a fresh one."
        )
    plan = plan_demo_organisation(size, seed)
    _write_taxonomy()
    departments = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}
    locations = {loc.name: loc for loc in Location.objects.all()}
    skills = dict(Skill.objects.values_list("normalised_name", "pk"))
    languages = dict(Language.objects.values_list("normalised_name", "pk"))

    # Managers are written before their reports, one layer at a time, so manager ids are known.
    depth: dict[int, int] = {}
    for draft in plan.people:
        depth[draft.index] = 0 if draft.manager is None else depth[draft.manager] + 1
    saved: dict[int, Person] = {}
    for layer in range(max(depth.values()) + 1):
        drafts = [d for d in plan.people if depth[d.index] == layer]
        rows = [
            Person(
                employee_id=d.employee_id,
                email=d.email,
                first_name=d.first_name,
                last_name=d.last_name,
                title=d.title,
                department=departments[d.department],
                location=locations[d.location],
                time_zone=d.time_zone,
                hire_date=d.hire_date,
                level=d.level,
                manager=None if d.manager is None else saved[d.manager],
                bio=d.bio,
                is_active=d.is_active,
            )
            for d in drafts
        ]
        for draft, person in zip(drafts, Person.objects.bulk_create(rows), strict=True):
            saved[draft.index] = person

    skill_links = Person.skills.through
    skill_links.objects.bulk_create(
        skill_links(person_id=saved[d.index].pk, skill_id=skills[normalise_name(name)])
        for d in plan.people
        for name in d.skills
    )
    language_links = Person.languages.through
    language_links.objects.bulk_create(
        language_links(person_id=saved[d.index].pk, language_id=languages[normalise_name(name)])
        for d in plan.people
        for name in d.languages
    )
    rebuild_reporting_paths()
    _write_accounts(plan, saved, Random(seed))
    return DEMO_CREDENTIALS


def _write_taxonomy() -> None:
    Department.objects.bulk_create(
        [Department(name=name) for name in DEPARTMENTS], ignore_conflicts=True
    )
    Location.objects.bulk_create(
        [Location(name=place.name, time_zone=place.time_zone) for place in LOCATIONS],
        ignore_conflicts=True,
    )
    Skill.objects.bulk_create(
        [
            Skill(name=name, normalised_name=normalise_name(name), category=category)
            for category, names in SKILLS.items()
            for name in names
        ],
        ignore_conflicts=True,
    )
    skill_ids = dict(Skill.objects.values_list("normalised_name", "pk"))
    SkillAlias.objects.bulk_create(
        [
            SkillAlias(
                skill_id=skill_ids[normalise_name(skill)],
                alias=alias,
                normalised_alias=normalise_name(alias),
            )
            for alias, skill in SKILL_ALIASES.items()
        ],
        ignore_conflicts=True,
    )
    names: list[str] = ["English"]
    for pool in _NAME_POOLS.values():
        names += [language for language, _ in pool.languages]
    for place in LOCATIONS:
        names += [language for language, _ in place.languages]
    names += _EXTRA_LANGUAGES
    Language.objects.bulk_create(
        [Language(name=n, normalised_name=normalise_name(n)) for n in dict.fromkeys(names)],
        ignore_conflicts=True,
    )


_EXTRA_ACCOUNTS = 50


def _write_accounts(plan: DemoPlan, saved: dict[int, Person], rng: Random) -> None:
    """Accounts for the personas, their nearest colleagues and a spread of other people."""
    # One hash for every account (the password is printed for all to see anyway); a fixed salt
    # keeps the rows identical from one seed to the next, and hashing once keeps seeding fast.
    password = make_password(DEMO_PASSWORD, salt="northwinddemo")
    joined = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    roles: dict[int, str] = {}
    for draft in plan.people:
        if draft.persona == "admin":
            roles[draft.index] = Role.ADMIN
        elif draft.persona == "program_manager":
            roles[draft.index] = Role.PROGRAM_MANAGER
            roles[draft.manager] = Role.PROGRAM_MANAGER  # the head of Learning & Development
        elif draft.persona == "participant":
            roles[draft.index] = Role.PARTICIPANT
            roles[draft.manager] = Role.PARTICIPANT
    others = [d.index for d in plan.people if d.is_active and d.index not in roles]
    for index in sorted(rng.sample(others, min(_EXTRA_ACCOUNTS - 2, len(others)))):
        roles[index] = Role.PARTICIPANT
    User.objects.bulk_create(
        User(
            email=saved[index].email,
            person=saved[index],
            role=role,
            password=password,
            date_joined=joined,
        )
        for index, role in sorted(roles.items())
    )


def describe_credentials(credentials: DemoCredentials) -> str:
    """The sign-in block printed by `trellis demo` and `trellis seed-demo`."""
    return "\n".join(
        (
            f"  Organisation admin  {credentials.admin_email}",
            f"  Program manager     {credentials.program_manager_email}",
            f"  Participant         {credentials.participant_email}",
            f"  Password            {credentials.password}   (the same for every demo account)",
        )
    )
